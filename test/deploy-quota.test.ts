import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { GitRepo } from './harness/git-repo.js';
import { AWS_LAMBDA_RATES, type LambdaRates } from './harness/lambda-standin.js';
import { CREDENTIALS } from './harness/s3.js';

// lci deploy against the Lambda stand-in with its request quotas on (token buckets, 429 with
// Retry-After as Lambda answers), at rates small enough to meet in a test.

interface Budget {
  rates: { getFunction: number; controlPlane: number };
  requests: { getFunction: number; controlPlane: number; getPolicy: number };
  byOperation: Record<string, number>;
  throttles: number;
  waitedSeconds: number;
}
type QuotaJson = DeployJson & { budget: Budget; shard: { index: number; count: number } | null };

const names = (n: number) => Array.from({ length: n }, (_, i) => `fn-${String(i).padStart(2, '0')}`);

function repoOf(n: number): GitRepo {
  const files: Record<string, string> = { '.gitignore': '.lci/\n' };
  const yaml = [
    'version: 1',
    'artifacts: { bucket: acme-artifacts, region: eu-west-1 }',
    'environments:',
    '  qa: { branch: main }',
    'functions:',
  ];
  for (const name of names(n)) {
    yaml.push(`  ${name}: { path: svc/${name}, descriptor: false }`);
    files[`svc/${name}/app.py`] = `def handler(event, context):\n    return "${name}"\n`;
  }
  files['lambdas.yaml'] = `${yaml.join('\n')}\n`;
  return GitRepo.create(files);
}

async function deploy(world: AwsWorld, repo: GitRepo, args: string[] = []) {
  const r = await lciAsync(['deploy', '--env', 'qa', '--json', ...args], { cwd: repo.dir, env: world.env() });
  let json: QuotaJson | null = null;
  try {
    json = JSON.parse(r.stdout) as QuotaJson;
  } catch {
    // null: the assertions say what was printed instead
  }
  return { ...r, json };
}

const statuses = (json: QuotaJson | null) => (json?.functions ?? []).map((f) => f.status);
/** Requests the stand-in answered, by operation, leaving out a path (the noise client's). */
function answered(world: AwsWorld, notFor = '\0'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of world.lambda.log)
    if (!l.path.includes(notFor) && l.status !== 429) out[l.operation] = (out[l.operation] ?? 0) + 1;
  return out;
}

const SMALL: LambdaRates = { getFunction: 20, getPolicy: 8, controlPlane: 8 };

const quota = suite('deploy: within Lambda’s request quotas');

quota(
  'a release at low rates meets no throttle; then a no-op of N functions is exactly N GetFunction calls, nothing else',
  async () => {
    await AwsWorld.with(
      async (world) => {
        const n = 10;
        await seedFunctions(
          world,
          names(n).map((name) => ({ name, alias: 'qa' })),
        );
        const repo = repoOf(n);
        const first = await deploy(world, repo, ['--rate', '8,20']);
        assert.is(first.code, 0, first.stderr);
        assert.equal(statuses(first.json), Array(n).fill('PUBLISHED'));
        assert.is(world.lambda.throttleCount(), 0, 'the shared client-side budget kept every worker under the quota');
        const b = first.json!.budget;
        assert.equal([b.throttles, b.rates.controlPlane, b.rates.getFunction], [0, 8, 20]);
        // The report counts what the stand-in saw: GetFunction in its own class, the rest in the shared one.
        const seen = answered(world);
        assert.equal(b.byOperation, seen);
        assert.is(b.requests.getFunction, seen.GetFunction);
        assert.is(b.requests.controlPlane, world.lambda.log.length - seen.GetFunction!);
        assert.equal(
          [
            seen.GetAlias,
            seen.UpdateFunctionCode,
            seen.PublishVersion,
            seen.UpdateAlias,
            seen.GetFunctionConfiguration,
          ],
          [n, n, n, n, undefined],
          'per changed function: one GetAlias (its RevisionId) and the three writes in the 15/s class; every configuration read is a GetFunction',
        );

        world.lambda.clearLog();
        rmSync(join(repo.dir, '.lci'), { recursive: true, force: true }); // a fresh CI checkout
        const noop = await deploy(world, repo, ['--rate', '8,20']);
        assert.is(noop.code, 0, noop.stderr);
        assert.equal(statuses(noop.json), Array(n).fill('INTACT'));
        assert.equal(
          world.lambda.log.map((l) => `${l.operation} ${l.path}`).sort(),
          names(n).map((name) => `GetFunction /2015-03-31/functions/${name}?Qualifier=qa`),
        );
        assert.equal(noop.json!.budget.requests, { getFunction: n, getPolicy: 0, controlPlane: 0 });
        assert.is(world.lambda.throttleCount(), 0);
        assert.match(
          (await lciAsync(['deploy', '--env', 'qa', '--rate', '8,20'], { cwd: repo.dir, env: world.env() })).stdout,
          new RegExp(
            `Lambda requests: ${n} GetFunction \\(at 20/s\\), 0 others \\(at 8/s\\); 0 throttles; \\d+\\.\\d s waiting for the budget`,
          ),
        );
      },
      { rates: SMALL },
    );
  },
);

quota(
  'another client spending the same budget: lci meets throttles, backs off for their Retry-After, and still finishes',
  async () => {
    await AwsWorld.with(
      async (world) => {
        // Enough functions that lci's writes outlast the bucket's slack even when the other client is slow to start.
        const n = 16;
        await seedFunctions(world, [
          ...names(n).map((name) => ({ name, alias: 'qa' })),
          { name: 'noise', alias: 'qa' },
        ]);
        const repo = repoOf(n);
        // Someone else (a Terraform run, a console) takes about 5 of the 8 requests per second.
        const other = new LambdaClient({
          region: 'eu-west-1',
          endpoint: world.lambda.endpoint,
          credentials: CREDENTIALS,
          maxAttempts: 1,
        });
        // It has just spent a burst (the bucket starts empty for lci), then keeps taking its share:
        // lci meets throttles from its first writes, not only if its run outlasts the bucket.
        await Promise.all(
          Array.from({ length: SMALL.controlPlane }, () =>
            other.send(new ListVersionsByFunctionCommand({ FunctionName: 'noise' })).catch(() => {}),
          ),
        );
        let running = true;
        const noise = (async () => {
          while (running) {
            await other.send(new ListVersionsByFunctionCommand({ FunctionName: 'noise' })).catch(() => {});
            await new Promise((r) => setTimeout(r, 200));
          }
        })();
        try {
          const r = await deploy(world, repo, ['--rate', '8,20']);
          assert.is(r.code, 0, r.stderr);
          assert.equal(statuses(r.json), Array(n).fill('PUBLISHED'));
          const ours = world.lambda.log.filter((l) => l.status === 429 && !l.path.includes('/noise')).length;
          assert.ok(ours > 0, 'the other client made lci meet throttles');
          assert.is(r.json!.budget.throttles, ours, 'every throttle met is reported');
        } finally {
          running = false;
          await noise;
          other.destroy();
        }
      },
      { rates: SMALL },
    );
  },
);

quota(
  '--shard i/N: the shards deploy disjoint halves, each with 1/N of the budget; --affected --since deployed reads only its own',
  async () => {
    await AwsWorld.with(
      async (world) => {
        const n = 6;
        await seedFunctions(
          world,
          names(n).map((name) => ({ name, alias: 'qa' })),
        );
        const repo = repoOf(n);
        const [one, two] = await Promise.all([
          deploy(world, repo, ['--shard', '1/2']),
          deploy(world, repo, ['--shard', '2/2']),
        ]);
        assert.is(one.code, 0, one.stderr);
        assert.is(two.code, 0, two.stderr);
        assert.equal(
          one.json!.functions.map((f) => f.name),
          ['fn-00', 'fn-02', 'fn-04'],
        );
        assert.equal(
          two.json!.functions.map((f) => f.name),
          ['fn-01', 'fn-03', 'fn-05'],
        );
        assert.equal([...statuses(one.json), ...statuses(two.json)], Array(n).fill('PUBLISHED'));
        assert.equal(one.json!.shard, { index: 1, count: 2 });
        assert.equal(one.json!.budget.rates, { getFunction: 50, getPolicy: 7.5, controlPlane: 7.5 });
        assert.is(world.lambda.throttleCount(), 0);

        repo.commit({ 'svc/fn-03/app.py': 'def handler(event, context):\n    return 3\n' });
        world.lambda.clearLog();
        const since = (shard: string) => deploy(world, repo, ['--affected', '--since', 'deployed', '--shard', shard]);
        const [a, b] = await Promise.all([since('1/2'), since('2/2')]);
        assert.is(a.code, 0, a.stderr);
        assert.equal(a.json!.functions, [], 'nothing of shard 1 changed since what its aliases serve');
        assert.equal(
          b.json!.functions.map((f) => [f.name, f.status]),
          [['fn-03', 'PUBLISHED']],
        );
        assert.is(a.json!.budget.requests.getFunction, 3, 'shard 1 read its three functions once each');
        assert.is(a.json!.budget.requests.controlPlane, 0);
      },
      { rates: AWS_LAMBDA_RATES },
    );
  },
);

quota.run();
