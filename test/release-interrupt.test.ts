import type { ChildProcess } from 'node:child_process';
import { GetFunctionCommand, LambdaClient, UntagResourceCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { CREDENTIALS } from './harness/s3.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import type { GitRepo } from './harness/git-repo.js';

// A traffic shift that is interrupted never leaves serving traffic split and unwatched: Ctrl-C or
// SIGTERM puts the alias back before lci exits (and a forced exit waits for that), and after a
// SIGKILL the next deploy resumes the shift with its alarms, or puts it back with --abort.
// Real signals to the real CLI, the Lambda and CloudWatch stand-ins.

interface Shift {
  version: string;
  weights: Record<string, number>;
}

function alias(w: AwsWorld): Shift {
  const a = w.lambda.functionState('alpha-qa')!.aliases.qa!;
  return { version: a.FunctionVersion, weights: a.RoutingConfig?.AdditionalVersionWeights ?? {} };
}

async function untilHolding(w: AwsWorld): Promise<void> {
  while (Object.keys(alias(w).weights).length === 0) await new Promise((r) => setTimeout(r, 25));
}

async function world(): Promise<{ w: AwsWorld; repo: GitRepo }> {
  const w = await AwsWorld.start();
  await seedFunctions(w, QA_FUNCTIONS);
  w.cloudwatch.setAlarm('alpha-errors', 'OK');
  return { w, repo: await deployRepo({ envExtra: ', alarms: [alpha-errors]' }) };
}

/** A canary deploy of alpha, running; resolves once it holds 10% on the new version. */
async function holding(w: AwsWorld, repo: GitRepo, minutes = '1') {
  let child!: ChildProcess;
  const done = lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', `canary:10:${minutes}`], {
    cwd: repo.dir,
    env: w.env(),
    started: (c) => (child = c),
  });
  await untilHolding(w);
  assert.equal(alias(w), { version: '1', weights: { '2': 0.1 } });
  return { child, done };
}

/** A canary deploy killed outright while it holds: the alias is left split. */
async function killedWhileHolding(w: AwsWorld, repo: GitRepo): Promise<void> {
  const { child, done } = await holding(w, repo);
  child.kill('SIGKILL');
  assert.is((await done).signal, 'SIGKILL');
  assert.equal(alias(w), { version: '1', weights: { '2': 0.1 } }, 'left split by the kill');
}

const signals = suite('interrupted shifts: Ctrl-C and SIGTERM put the alias back');

signals('SIGTERM during a canary hold: the alias is back on the old version, and lci exits 143 saying so', async () => {
  const { w, repo } = await world();
  try {
    const { child, done } = await holding(w, repo);
    child.kill('SIGTERM');
    const r = await done;
    assert.is(r.code, 143, r.stderr);
    assert.match(
      r.stderr,
      /lci: function alpha \(alpha-qa\): interrupted by SIGTERM with 10% of traffic on version 2; alias qa rolled back to version 1/,
    );
    assert.equal(alias(w), { version: '1', weights: {} });
    // Ctrl-C the same way, exit 130.
    const again = await holding(w, repo);
    again.child.kill('SIGINT');
    const r2 = await again.done;
    assert.is(r2.code, 130, r2.stderr);
    assert.match(
      r2.stderr,
      /interrupted by SIGINT with 10% of traffic on version 2; alias qa rolled back to version 1/,
    );
    assert.equal(alias(w), { version: '1', weights: {} });
  } finally {
    await w.close();
  }
});

signals(
  'a rollback slower than the 10 s grace period, and a second SIGTERM during it: the process waits for it to finish',
  async () => {
    const { w, repo } = await world();
    try {
      const { child, done } = await holding(w, repo);
      w.lambda.slowDown('UpdateAlias', 12_000); // the rollback's UpdateAlias: answered after the grace period
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      child.kill('SIGTERM'); // a second signal would exit at once, but not in the middle of putting the alias back
      const r = await done;
      assert.is(r.signal, null, 'not killed');
      assert.is(r.code, 143, r.stderr);
      assert.match(r.stderr, /lci: waiting for an alias to be put back before exiting/);
      assert.match(r.stderr, /alias qa rolled back to version 1/);
      assert.equal(alias(w), { version: '1', weights: {} });
    } finally {
      await w.close();
    }
  },
);

const killed = suite('interrupted shifts: after a SIGKILL, the next deploy resumes or puts back');

killed(
  'status marks the alias SHIFTING; a re-run resumes the shift with its strategy and alarms, and says so',
  async () => {
    const { w, repo } = await world();
    try {
      await killedWhileHolding(w, repo);
      // The shift is marked on the function, where a no-op deploy's one GetFunction sees it.
      assert.equal(w.lambda.functionState('alpha-qa')!.tags, { 'lci:shifting:qa': '1:2' });
      const status = await lciAsync(['status', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
      assert.is(JSON.parse(status.stdout).functions[0].status, 'SHIFTING');
      const text = await lciAsync(['status', 'alpha', '--env', 'qa'], { cwd: repo.dir, env: w.env() });
      assert.match(text.stdout, /qa → 1 SHIFTING\s.*2: 10%\n\nSHIFTING: traffic is on two versions/);

      const alarmsBefore = w.cloudwatch.log.length;
      const r = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:0.01'], {
        cwd: repo.dir,
        env: w.env(),
      });
      assert.is(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /alpha: alias qa was left with 10% of traffic on version 2 \(from 1\): resumed the shift with canary:10:0\.01/,
      );
      assert.ok(w.cloudwatch.log.length > alarmsBefore, 'the alarms were read');
      assert.equal(alias(w), { version: '2', weights: {} });
      const json = await lciAsync(['status', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
      assert.is(JSON.parse(json.stdout).functions[0].status, 'DEPLOYED');
      assert.equal(w.lambda.functionState('alpha-qa')!.tags, {}, 'the mark goes when the shift ends');
    } finally {
      await w.close();
    }
  },
);

killed(
  'a re-run with all-at-once reads the alarms first: one in ALARM puts the alias back instead of jumping to 100%',
  async () => {
    const { w, repo } = await world();
    try {
      await killedWhileHolding(w, repo);
      w.cloudwatch.setAlarm('alpha-errors', 'ALARM');
      const r = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
      assert.is(r.code, 1);
      assert.match(
        r.stderr,
        /alarm alpha-errors is in ALARM with 10% of traffic on version 2; alias qa rolled back to version 1/,
      );
      assert.equal(alias(w), { version: '1', weights: {} });
      w.cloudwatch.setAlarm('alpha-errors', 'OK');
      const again = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
      assert.is(again.code, 0, again.stderr);
      assert.equal((JSON.parse(again.stdout) as DeployJson).functions[0]!.calls, [
        'PublishVersion alpha-qa',
        'UpdateAlias qa → 2',
      ]);
    } finally {
      await w.close();
    }
  },
);

killed(
  '--abort puts the alias back on the version it shifted from, deploys nothing else for it, and says so',
  async () => {
    const { w, repo } = await world();
    try {
      await killedWhileHolding(w, repo);
      w.lambda.clearLog();
      const dry = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--abort', '--dry-run'], {
        cwd: repo.dir,
        env: w.env(),
      });
      assert.match(dry.stdout, /would put all traffic back on 1 \(--abort\)/);
      assert.equal(w.mutations(), []);
      const r = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--abort'], { cwd: repo.dir, env: w.env() });
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /1 rolled back/);
      assert.match(
        r.stdout,
        /alpha: alias qa was left with 10% of traffic on version 2 \(from 1\): put all traffic back on 1 \(--abort\); not deployed/,
      );
      assert.equal(alias(w), { version: '1', weights: {} });
      assert.equal(w.mutations(), ['UpdateAlias']);
      const json = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--abort', '--json'], {
        cwd: repo.dir,
        env: w.env(),
      });
      assert.is(
        (JSON.parse(json.stdout) as DeployJson).functions[0]!.status,
        'PUBLISHED',
        'with nothing left mid-shift, --abort deploys as usual',
      );
    } finally {
      await w.close();
    }
  },
);

killed('a re-run of the source the old version serves puts all traffic back on it, instead of resuming', async () => {
  const { w, repo } = await world();
  try {
    assert.is((await lciAsync(['deploy', 'alpha', '--env', 'qa'], { cwd: repo.dir, env: w.env() })).code, 0); // version 2
    const served = repo.head();
    repo.commit({ 'svc/alpha/app.py': 'def handler(event, context):\n    return "three"\n' });
    let child!: ChildProcess;
    const done = lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:1'], {
      cwd: repo.dir,
      env: w.env(),
      started: (c) => (child = c),
    });
    await untilHolding(w);
    child.kill('SIGKILL');
    await done;
    assert.equal(alias(w), { version: '2', weights: { '3': 0.1 } });
    repo.git('checkout', '-q', served);
    const r = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
    assert.is(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DeployJson & { functions: { unfinishedShift: unknown }[] }).functions[0]!;
    assert.is(f.status, 'ROLLED_BACK');
    assert.equal(f.unfinishedShift, { from: '2', version: '3', weight: 0.1, action: 'ROLLED_BACK' });
    assert.equal(alias(w), { version: '2', weights: {} });
    assert.equal(w.lambda.functionState('alpha-qa')!.tags, {});
    // Now a re-run of the same source is a no-op again: one GetFunction, no GetAlias.
    w.lambda.clearLog();
    const again = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
    assert.is((JSON.parse(again.stdout) as DeployJson).functions[0]!.status, 'INTACT');
    assert.equal(
      w.lambda.log.map((l) => l.operation),
      ['GetFunction'],
    );
  } finally {
    await w.close();
  }
});

killed(
  "a split alias without lci's mark (another tool left it): resuming marks it first; putting it back untags nothing",
  async () => {
    const { w, repo } = await world();
    try {
      await killedWhileHolding(w, repo);
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: w.lambda.endpoint, credentials: CREDENTIALS });
      const arn = (await sdk.send(new GetFunctionCommand({ FunctionName: 'alpha-qa' }))).Configuration!.FunctionArn!;
      await sdk.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['lci:shifting:qa'] }));
      w.lambda.clearLog();
      const abort = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--abort'], { cwd: repo.dir, env: w.env() });
      assert.is(abort.code, 0, abort.stderr);
      assert.equal(alias(w), { version: '1', weights: {} });
      assert.not.ok(
        w.lambda.log.some((l) => l.operation === 'UntagResource'),
        'no mark to clear: no write spent on it',
      );

      // Split again by hand, unmarked, then resumed: the mark is set before the weight moves on.
      await sdk.send(
        new UpdateAliasCommand({
          FunctionName: 'alpha-qa',
          Name: 'qa',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        }),
      );
      w.lambda.clearLog();
      const r = await lciAsync(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:0.01'], {
        cwd: repo.dir,
        env: w.env(),
      });
      assert.is(r.code, 0, r.stderr);
      const writes = w.lambda.log.map((l) => l.operation).filter((o) => /^(Tag|Untag|UpdateAlias)/.test(o));
      assert.equal(writes, ['TagResource', 'UpdateAlias', 'UpdateAlias', 'UntagResource']);
      assert.equal(alias(w), { version: '2', weights: {} });
      assert.equal(w.lambda.functionState('alpha-qa')!.tags, {});
    } finally {
      await w.close();
    }
  },
);

killed('lci rollback of a stopped shift puts the alias back and clears the mark', async () => {
  const { w, repo } = await world();
  try {
    await killedWhileHolding(w, repo);
    const r = await lciAsync(['rollback', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
    assert.is(r.code, 0, r.stderr);
    assert.is(JSON.parse(r.stdout).reason, 'SHIFT');
    assert.equal(alias(w), { version: '1', weights: {} });
    assert.equal(w.lambda.functionState('alpha-qa')!.tags, {});
  } finally {
    await w.close();
  }
});

signals.run();
killed.run();
