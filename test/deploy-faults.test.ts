import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { requireDocker } from './harness/docker.js';
import type { GitRepo } from './harness/git-repo.js';
import type { Fault } from './harness/lambda-standin.js';
import { S3Server } from './harness/s3.js';

// The promise of lci deploy: whatever fails, the alias points to a version that was published
// whole, and running the deploy again converges. Real S3 (s3rver), the Lambda stand-in, real Docker.

const MUTATIONS = [
  'PublishLayerVersion',
  'UpdateFunctionConfiguration',
  'UpdateFunctionCode',
  'PublishVersion',
  'UpdateAlias',
];
const FAULTS: Fault[] = ['throttle', 'server-error', 'conflict', 'drop', 'drop-after-apply'];

let s3: S3Server;
let repo: GitRepo;
let builtSha = '';
let layerKey = '';
const seededSha: Record<string, string> = {};

async function world(opts: { updateDelayMs?: number } = {}): Promise<AwsWorld> {
  const w = await AwsWorld.start({ s3, ...opts });
  await seedFunctions(w, [{ name: 'gamma', alias: 'qa' }]);
  seededSha.gamma = w.lambda.functionState('gamma')!.versions[0]!.CodeSha256!;
  return w;
}

async function deployGamma(w: AwsWorld, onStart?: (pid: number) => void) {
  const r = await lciAsync(['deploy', 'gamma', '--env', 'qa', '--json'], {
    cwd: repo.dir,
    env: w.env(),
    started: (c) => onStart?.(c.pid!),
  });
  return { ...r, json: r.stdout.trim() ? (JSON.parse(r.stdout) as DeployJson) : null };
}

/** The alias serves a version that exists whole: its code is the seeded code or the built code. */
function assertAliasComplete(w: AwsWorld, context: string): string {
  const state = w.lambda.functionState('gamma')!;
  const alias = state.aliases.qa!;
  assert.equal(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {}, `${context}: no half-shifted traffic`);
  const serving = state.versions.find((v) => v.Version === alias.FunctionVersion);
  assert.ok(serving, `${context}: the alias points to a published version`);
  assert.ok(
    [seededSha.gamma, builtSha].includes(serving!.CodeSha256!),
    `${context}: the serving version holds a whole package`,
  );
  if (serving!.CodeSha256 === builtSha) {
    assert.ok(
      serving!.Layers?.some((l) => l.Arn!.includes(':layer:gamma-deps:')),
      `${context}: new code is served with its layer`,
    );
  }
  return serving!.CodeSha256!;
}

/** Converged: the alias serves the built code with the layer that carries our dependency key. */
function assertConverged(w: AwsWorld, context: string): void {
  const state = w.lambda.functionState('gamma')!;
  const serving = state.versions.find((v) => v.Version === state.aliases.qa!.FunctionVersion)!;
  assert.is(serving.CodeSha256, builtSha, `${context}: converged code`);
  const layerArn = serving.Layers!.find((l) => l.Arn!.includes(':layer:gamma-deps:'))!.Arn!;
  const layer = w.lambda.layerVersions('gamma-deps').find((l) => l.LayerVersionArn === layerArn)!;
  assert.ok(layer.Description!.includes(layerKey), `${context}: converged layer`);
}

const faults = suite('deploy: every mutating call × every fault, then a re-run');

faults.before(async () => {
  await requireDocker();
  s3 = await S3Server.start();
  repo = await deployRepo({ deps: true });
  // One clean deploy learns the built code's sha and the layer key, and leaves the layer zip in S3 for the rest.
  const w = await world();
  const r = await deployGamma(w);
  assert.is(r.code, 0, r.stderr);
  builtSha = r.json!.functions[0]!.code.sha256!;
  layerKey = /lci deps ([0-9a-f]{32})/.exec(w.lambda.layerVersions('gamma-deps')[0]!.Description!)![1]!;
  assert.equal(
    r.json!.functions[0]!.calls.map((c) => c.split(' ')[0]),
    MUTATIONS,
  );
  await w.close();
});

faults.after(async () => {
  await s3.close();
});

for (const op of MUTATIONS) {
  faults(`${op}: each fault fails the deploy cleanly, and a re-run converges`, async () => {
    for (const fault of FAULTS) {
      const w = await world();
      try {
        w.lambda.inject(op, fault);
        const failed = await deployGamma(w);
        const context = `${op} × ${fault}`;
        assert.is(failed.code, 1, `${context}: the deploy fails (${failed.stderr})`);
        assert.match(failed.stderr, /^lci: function gamma \(gamma\): .+/m, `${context}: says why`);
        assert.not.match(failed.stderr, /\n\s+at /, `${context}: no stack trace`);
        assertAliasComplete(w, context);
        w.lambda.clearFaults();
        const again = await deployGamma(w);
        assert.is(again.code, 0, `${context}: re-run: ${again.stderr}`);
        assertConverged(w, context);
      } finally {
        await w.close();
      }
    }
  });
}

faults('a single transient fault on each call is absorbed by retries', async () => {
  for (const op of MUTATIONS) {
    for (const fault of ['throttle', 'server-error', 'conflict', 'drop'] as Fault[]) {
      const w = await world();
      try {
        w.lambda.inject(op, fault, 1);
        const r = await deployGamma(w);
        assert.is(r.code, 0, `${op} × ${fault} once: ${r.stderr}`);
        assertConverged(w, `${op} × ${fault} once`);
      } finally {
        await w.close();
      }
    }
  }
});

faults('the process killed after any mutating call: the alias is whole, a re-run converges', async () => {
  for (let k = 1; k <= MUTATIONS.length; k++) {
    const w = await world();
    try {
      const killed = await deployGamma(w, (pid) => w.lambda.killAfter(pid, k));
      assert.is(killed.signal, 'SIGKILL', `killed after call ${k}`);
      assertAliasComplete(w, `killed after ${MUTATIONS[k - 1]}`);
      const again = await deployGamma(w);
      assert.is(again.code, 0, `re-run after kill ${k}: ${again.stderr}`);
      assertConverged(w, `re-run after kill ${k}`);
      // The re-run picks up where the killed one stopped: nothing done twice.
      const redone = again.json!.functions[0]!.calls.filter((c) => c.startsWith('PublishLayerVersion')).length;
      assert.is(redone, 0, `kill ${k}: the layer is not published again`);
    } finally {
      await w.close();
    }
  }
});

const race = suite('deploy: two deploys racing on one function');

race('exactly one moves the alias; the other fails and says so', async () => {
  await AwsWorld.with(
    async (w) => {
      await seedFunctions(w, QA_FUNCTIONS);
      const a = await deployRepo();
      const b = await deployRepo();
      b.commit({ 'svc/alpha/app.py': 'def handler(event, context):\n    return "the other one"\n' });
      const [ra, rb] = await Promise.all(
        [a, b].map((r) => lciAsync(['deploy', 'alpha', '--env', 'qa', '--json'], { cwd: r.dir, env: w.env() })),
      );
      const codes = [ra!.code, rb!.code].sort();
      assert.equal(codes, [0, 1], `${ra!.stderr}\n${rb!.stderr}`);
      const loser = ra!.code === 1 ? ra! : rb!;
      const winner = ra!.code === 0 ? ra! : rb!;
      assert.match(
        loser.stderr,
        /changed by someone else since this deploy read it|is different from current CodeSHA256|another update was in progress/,
      );
      const state = w.lambda.functionState('alpha-qa')!;
      const serving = state.versions.find((v) => v.Version === state.aliases.qa!.FunctionVersion)!;
      assert.is(
        serving.CodeSha256,
        (JSON.parse(winner.stdout) as DeployJson).functions[0]!.code.sha256,
        "the alias serves the winner's code",
      );
    },
    { updateDelayMs: 300 },
  );
});

const shift = suite('deploy: canary and linear traffic shifting with alarms');

async function alarmWorld(): Promise<{ w: AwsWorld; repo: GitRepo }> {
  const w = await AwsWorld.start();
  await seedFunctions(w, QA_FUNCTIONS);
  w.cloudwatch.setAlarm('alpha-errors', 'OK');
  const r = await deployRepo({ envExtra: ', alarms: [alpha-errors]' });
  return { w, repo: r };
}

function aliasUpdates(w: AwsWorld, fn: string): number {
  return w.lambda.log.filter((l) => l.operation === 'UpdateAlias' && l.path.includes(`/functions/${fn}/`)).length;
}

shift('canary: a share of traffic first, alarms watched, then everything', async () => {
  const { w, repo: r } = await alarmWorld();
  try {
    const res = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:0.01', '--json'], {
      cwd: r.dir,
      env: w.env(),
    });
    assert.is(res.code, 0, res.stderr);
    const calls = (JSON.parse(res.stdout) as DeployJson).functions[0]!.calls;
    assert.equal(
      calls.filter((c) => c.startsWith('UpdateAlias')),
      ['UpdateAlias qa: 10% → 2', 'UpdateAlias qa → 2'],
    );
    assert.ok(w.cloudwatch.log.length >= 2, 'alarms were read during the hold');
    assert.equal(w.lambda.functionState('alpha-qa')!.aliases.qa!.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
    assert.is(w.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '2');
  } finally {
    await w.close();
  }
});

shift('linear: equal steps', async () => {
  const { w, repo: r } = await alarmWorld();
  try {
    const res = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'linear:25:0.002', '--json'], {
      cwd: r.dir,
      env: w.env(),
    });
    assert.is(res.code, 0, res.stderr);
    const calls = (JSON.parse(res.stdout) as DeployJson).functions[0]!.calls.filter((c) => c.startsWith('UpdateAlias'));
    assert.equal(calls, [
      'UpdateAlias qa: 25% → 2',
      'UpdateAlias qa: 50% → 2',
      'UpdateAlias qa: 75% → 2',
      'UpdateAlias qa → 2',
    ]);
  } finally {
    await w.close();
  }
});

shift('an alarm during the canary rolls the alias back and fails the deploy', async () => {
  const { w, repo: r } = await alarmWorld();
  try {
    const running = lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:0.1'], {
      cwd: r.dir,
      env: w.env(),
    });
    while (aliasUpdates(w, 'alpha-qa') === 0) await new Promise((res) => setTimeout(res, 50));
    assert.equal(w.lambda.functionState('alpha-qa')!.aliases.qa!.RoutingConfig?.AdditionalVersionWeights, { '2': 0.1 });
    w.cloudwatch.setAlarm('alpha-errors', 'ALARM');
    const res = await running;
    assert.is(res.code, 1);
    assert.match(
      res.stderr,
      /alarm alpha-errors went into ALARM with 10% of traffic on version 2; alias qa rolled back to version 1/,
    );
    const alias = w.lambda.functionState('alpha-qa')!.aliases.qa!;
    assert.is(alias.FunctionVersion, '1');
    assert.equal(alias.RoutingConfig?.AdditionalVersionWeights ?? {}, {});
  } finally {
    await w.close();
  }
});

shift('a missing alarm fails before any traffic moves', async () => {
  await AwsWorld.with(async (w) => {
    await seedFunctions(w, QA_FUNCTIONS);
    const r = await deployRepo({ envExtra: ', alarms: [no-such-alarm]' });
    const res = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:0.01'], {
      cwd: r.dir,
      env: w.env(),
    });
    assert.is(res.code, 1);
    assert.match(res.stderr, /CloudWatch alarm no-such-alarm not found; fix alarms: in lambdas\.yaml/);
    assert.is(aliasUpdates(w, 'alpha-qa'), 0);
  });
});

faults.run();
race.run();
shift.run();
