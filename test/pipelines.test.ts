import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lciAsync } from './harness/cli.js';
import { CodePipelineStandin } from './harness/codepipeline-standin.js';
import { exampleRepo } from './harness/example-repo.js';
import type { GitRepo } from './harness/git-repo.js';

// lci pipelines against the CodePipeline stand-in (AWS JSON 1.1, the unmodified SDK): the names
// come from the same function generate uses, so what generate writes is what pipelines finds.

const REGION = 'eu-west-1';
let standin: CodePipelineStandin;
let repo: GitRepo;
let first: string;
let second: string;

function env(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'lci-test',
    AWS_SECRET_ACCESS_KEY: 'lci-test',
    AWS_REGION: REGION,
    AWS_MAX_ATTEMPTS: '1',
  };
}

const run = (args: string[]) => lciAsync([...args, '--endpoint-url', standin.endpoint], { cwd: repo.dir, env: env() });

interface Listed {
  command: string;
  region: string;
  pipelines: {
    name: string;
    env: string;
    pipeline: string;
    exists: boolean;
    status: string;
    latest: { sourceRevision: string; trigger: string; url: string } | null;
    lastSucceededRevision: string | null;
    affected: boolean | null;
    reasons: { path: string | null; rule: string }[];
  }[];
}

const list = suite('lci pipelines');

list.before(async () => {
  standin = await CodePipelineStandin.start({ region: REGION });
  repo = exampleRepo();
  const dir = repo.dir;
  first = repo.head();
  second = repo.commit(
    { 'services/orders-api/app.py': `${readFileSync(join(dir, 'services/orders-api/app.py'), 'utf8')}\n# changed\n` },
    'orders change',
  );
  // what Terraform would have made after `lci generate`: the qa pipelines but notifier's, and one prod
  for (const name of ['lci-orders-api-qa', 'lci-webhooks-qa', 'lci-invoice-worker-qa', 'lci-orders-api-prod'])
    standin.seedPipeline({ name });
  const ok = (at: string) => ({
    status: 'Succeeded' as const,
    sourceRevisions: [{ actionName: 'Source', revisionId: at }],
    trigger: { triggerType: 'Webhook' as const },
  });
  standin.seedExecution('lci-orders-api-qa', { ...ok(first), startTime: new Date('2026-01-01T10:00:00Z') });
  standin.seedExecution('lci-webhooks-qa', { ...ok(first), startTime: new Date('2026-01-01T10:00:00Z') });
  standin.seedExecution('lci-webhooks-qa', {
    status: 'Failed',
    sourceRevisions: [{ actionName: 'Source', revisionId: second }],
    startTime: new Date('2026-01-02T10:00:00Z'),
  });
});

list.after(async () => {
  await standin.close();
});

list(
  'every pipeline generate writes: exists, latest run, and whether its function changed since the last success',
  async () => {
    const r = await run(['pipelines', '--env', 'qa', '--json']);
    assert.is(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Listed;
    assert.is(doc.command, 'pipelines');
    const by = Object.fromEntries(doc.pipelines.map((p) => [p.pipeline, p]));
    assert.equal(Object.keys(by).sort(), [
      'lci-invoice-worker-qa',
      'lci-notifier-qa',
      'lci-orders-api-qa',
      'lci-webhooks-qa',
    ]);
    const orders = by['lci-orders-api-qa']!;
    assert.equal(
      [orders.exists, orders.status, orders.latest!.sourceRevision, orders.latest!.trigger],
      [true, 'SUCCEEDED', first, 'Webhook'],
    );
    assert.equal([orders.affected, orders.reasons[0]!.path], [true, 'services/orders-api/app.py']);
    assert.match(
      orders.latest!.url,
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/codesuite\/codepipeline\/pipelines\/lci-orders-api-qa\/executions\/[0-9a-f-]{36}\/timeline\?region=eu-west-1$/,
    );
    const webhooks = by['lci-webhooks-qa']!;
    assert.equal(
      [webhooks.status, webhooks.latest!.sourceRevision, webhooks.lastSucceededRevision, webhooks.affected],
      ['FAILED', second, first, false],
    );
    const worker = by['lci-invoice-worker-qa']!;
    assert.equal(
      [worker.status, worker.latest, worker.affected, worker.reasons[0]!.rule],
      ['NO_RUNS', null, true, 'never-deployed'],
    );
    const notifier = by['lci-notifier-qa']!;
    assert.equal([notifier.exists, notifier.status, notifier.affected], [false, 'MISSING', null]);
    const ops = new Set(standin.log.map((e) => e.operation));
    assert.equal([...ops], ['ListPipelineExecutions']);
  },
);

list('text: one row per pipeline, what is affected, what is missing, links', async () => {
  const r = await run(['pipelines']);
  assert.is(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^PIPELINE\s+FUNCTION\s+ENV\s+STATUS\s+REVISION\s+TRIGGER\s+STARTED\s+AFFECTED$/);
  assert.ok(
    lines.some((l) =>
      /^lci-orders-api-qa\s+orders-api\s+qa\s+SUCCEEDED\s+[0-9a-f]{12}\s+Webhook\s+2026-01-01T10:00:00Z\s+yes$/.test(l),
    ),
    r.stdout,
  );
  assert.ok(
    lines.some((l) => /^lci-orders-api-prod\s+orders-api\s+prod\s+NO_RUNS\s/.test(l)),
    r.stdout,
  );
  assert.match(
    r.stdout,
    /affected since their last successful run: lci-orders-api-qa, lci-orders-api-prod, lci-invoice-worker-qa/,
  );
  assert.match(r.stdout, /3 pipeline\(s\) missing: apply the Terraform lci generate wrote/);
});

list(
  'start: StartPipelineExecution at the commit (source revision override); a missing pipeline fails by name',
  async () => {
    standin.clearLog();
    const r = await run(['pipelines', 'start', 'orders-api', 'webhooks', '--env', 'qa', '--json']);
    assert.is(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      commit: string;
      pipelines: { pipeline: string; status: string; executionId: string }[];
    };
    assert.is(doc.commit, second);
    assert.equal(
      doc.pipelines.map((p) => [p.pipeline, p.status]),
      [
        ['lci-orders-api-qa', 'STARTED'],
        ['lci-webhooks-qa', 'STARTED'],
      ],
    );
    const started = standin.executions('lci-orders-api-qa')[0]!;
    assert.is(started.pipelineExecutionId, doc.pipelines[0]!.executionId);
    assert.equal(started.sourceOverrides, [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: second }]);
    assert.is(started.sourceRevisions[0]!.revisionId, second);

    const old = await run(['pipelines', 'start', 'orders-api', '--env', 'qa', '--source-version', first]);
    assert.is(old.code, 0, old.stderr);
    assert.is(standin.executions('lci-orders-api-qa')[0]!.sourceRevisions[0]!.revisionId, first);

    const missing = await run(['pipelines', 'start', 'notifier', '--env', 'qa']);
    assert.is(missing.code, 1);
    assert.match(
      missing.stderr,
      /lci: pipeline lci-notifier-qa \(function notifier\): pipeline lci-notifier-qa does not exist: apply the Terraform lci generate wrote/,
    );
  },
);

list('start --affected --base: only the pipelines of functions changed since REV', async () => {
  const r = await run(['pipelines', 'start', '--affected', '--base', first, '--env', 'qa', '--json']);
  assert.is(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { pipelines: { pipeline: string; status: string }[] };
  assert.equal(
    doc.pipelines.map((p) => p.pipeline),
    ['lci-orders-api-qa'],
  );
  const none = await run(['pipelines', 'start', '--affected', '--base', second, '--env', 'qa']);
  assert.is(none.code, 0, none.stderr);
  assert.is(none.stdout.trim(), 'nothing to start: no function is affected in qa');
});

list('bad input: start needs one environment and functions that deploy there', async () => {
  const noEnv = await run(['pipelines', 'start', 'orders-api']);
  assert.is(noEnv.code, 2);
  assert.match(noEnv.stderr, /needs exactly one --env NAME/);
  const skipped = await run(['pipelines', 'start', 'notifier', '--env', 'prod']);
  assert.is(skipped.code, 2);
  assert.match(skipped.stderr, /function notifier is not deployed to environment prod/);
  const unknown = await run(['pipelines', 'stop']);
  assert.is(unknown.code, 2);
  const down = await lciAsync(['pipelines', '--endpoint-url', 'http://127.0.0.1:9'], { cwd: repo.dir, env: env() });
  assert.is(down.code, 1, 'AWS unreachable is a failure of work, not bad input');
  assert.match(down.stderr, /^lci: ListPipelineExecutions lci-[a-z-]+: .*ECONNREFUSED/m);
});

list('the names follow ci.namePrefix, as generate writes them', async () => {
  const config = join(repo.dir, 'lambdas.yaml');
  const before = readFileSync(config, 'utf8');
  writeFileSync(config, `${before}ci:\n  namePrefix: acme\n`);
  try {
    const r = await run(['pipelines', '--env', 'prod', '--json']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as Listed).pipelines.map((p) => p.pipeline),
      ['acme-orders-api-prod', 'acme-invoice-worker-prod', 'acme-webhooks-prod'],
    );
  } finally {
    writeFileSync(config, before);
  }
});

list.run();
