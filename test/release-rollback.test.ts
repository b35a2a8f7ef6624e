import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions } from './harness/deploy-fixture.js';
import { runMain } from './harness/run-main.js';

// Rollback goes to what was served (the `prev` each version records), never to a version an alarm
// rejected; confirm: true environments ask before an alias moves. Real CLI, the stand-ins.

const served = (w: AwsWorld, fn = 'alpha-qa') => w.lambda.functionState(fn)!.aliases.qa!.FunctionVersion;

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 25));
}

const rollback = suite('rollback: back to the version that was served');

rollback(
  'after a deploy an alarm rejected, rollback returns to the served version, then one step further each time',
  async () => {
    await AwsWorld.with(async (w) => {
      await seedFunctions(w, QA_FUNCTIONS);
      w.cloudwatch.setAlarm('alpha-errors', 'OK');
      const repo = await deployRepo({ envExtra: ', alarms: [alpha-errors]' });
      const run = (args: string[]) => lciAsync(args, { cwd: repo.dir, env: w.env() });
      assert.is((await run(['deploy', 'alpha', '--env', 'qa'])).code, 0); // version 2, served
      repo.commit({ 'svc/alpha/app.py': 'def handler(event, context):\n    raise Exception("broken")\n' });
      const canary = run(['deploy', 'alpha', '--env', 'qa', '--strategy', 'canary:10:0.2']);
      await waitFor(
        () =>
          Object.keys(w.lambda.functionState('alpha-qa')!.aliases.qa!.RoutingConfig?.AdditionalVersionWeights ?? {})
            .length > 0,
      );
      w.cloudwatch.setAlarm('alpha-errors', 'ALARM');
      const rejected = await canary;
      assert.is(rejected.code, 1);
      assert.match(
        rejected.stderr,
        /went into ALARM with 10% of traffic on version 3; alias qa rolled back to version 2/,
      );
      w.cloudwatch.setAlarm('alpha-errors', 'OK');
      repo.commit({ 'svc/alpha/app.py': 'def handler(event, context):\n    return "fixed"\n' });
      assert.is((await run(['deploy', 'alpha', '--env', 'qa'])).code, 0); // version 4
      assert.is(served(w), '4');
      const v4 = w.lambda.functionState('alpha-qa')!.versions.find((v) => v.Version === '4')!;
      assert.match(v4.Description!, / prev 2\)$/, 'version 4 records that 2 was served before it (3 never was)');

      const dry = await run(['rollback', 'alpha', '--env', 'qa', '--dry-run']);
      assert.is(dry.code, 0, dry.stderr);
      assert.is(
        dry.stdout.trim(),
        'alpha-qa: alias qa would move from 4 to 2 (the version served before); dry run, nothing moved',
      );
      assert.is(served(w), '4', 'a dry run moves nothing');

      const back = await run(['rollback', 'alpha', '--env', 'qa', '--json']);
      assert.is(back.code, 0, back.stderr);
      assert.equal(
        JSON.parse(back.stdout).to,
        '2',
        'the served version, not 3 (the highest below 4, which an alarm rejected)',
      );
      assert.is(JSON.parse(back.stdout).reason, 'RECORDED');
      assert.is(served(w), '2');

      const further = await run(['rollback', 'alpha', '--env', 'qa']);
      assert.is(further.code, 0, further.stderr);
      assert.is(further.stdout.trim(), 'alpha-qa: alias qa moved from 2 to 1');

      const none = await run(['rollback', 'alpha', '--env', 'qa']);
      assert.is(none.code, 2);
      assert.match(
        none.stderr,
        /^lci: alpha-qa: version 1 does not record the version served before it \(published by hand or by an older lci\): pass --to VERSION/,
      );
      assert.is(none.stderr.trim().split('\n').length, 1, 'one line');
    });
  },
);

rollback('--to a version that does not exist or is already served: one line, exit 2, nothing moves', async () => {
  await AwsWorld.with(async (w) => {
    await seedFunctions(w, QA_FUNCTIONS);
    const repo = await deployRepo();
    const run = (args: string[]) => lciAsync(args, { cwd: repo.dir, env: w.env() });
    assert.is((await run(['deploy', 'alpha', '--env', 'qa'])).code, 0);
    w.lambda.clearLog();
    const missing = await run(['rollback', 'alpha', '--env', 'qa', '--to', '9']);
    assert.is(missing.code, 2);
    assert.is(missing.stderr, 'lci: alpha-qa: version 9 does not exist\n');
    const current = await run(['rollback', 'alpha', '--env', 'qa', '--to', '2']);
    assert.is(current.code, 2);
    assert.is(current.stderr, 'lci: alpha-qa: alias qa already serves version 2: nothing to move\n');
    assert.equal(w.mutations(), []);
  });
});

const confirm = suite('confirm: true environments ask before an alias moves');

confirm(
  'without a terminal, deploy and rollback need --yes (exit 2, nothing written); --dry-run asks nothing',
  async () => {
    await AwsWorld.with(async (w) => {
      await seedFunctions(w, QA_FUNCTIONS);
      const repo = await deployRepo({ envExtra: ', confirm: true' });
      const run = (args: string[]) => lciAsync(args, { cwd: repo.dir, env: w.env() });
      const refused = await run(['deploy', '--env', 'qa']);
      assert.is(refused.code, 2);
      assert.is(
        refused.stderr,
        'lci: environment qa has confirm: true and there is no terminal to ask on: pass --yes to move alias qa without a question\n',
      );
      assert.equal(w.mutations(), []);
      assert.equal(await w.s3.keys(), [], 'asked before anything was built or uploaded');
      assert.is((await run(['deploy', '--env', 'qa', '--dry-run'])).code, 0);
      const yes = await run(['deploy', '--env', 'qa', '--yes']);
      assert.is(yes.code, 0, yes.stderr);
      assert.is(served(w), '2');
      const back = await run(['rollback', 'alpha', '--env', 'qa']);
      assert.is(back.code, 2);
      assert.match(back.stderr, /pass --yes/);
      assert.is((await run(['rollback', 'alpha', '--env', 'qa', '--dry-run'])).code, 0);
      assert.is((await run(['rollback', 'alpha', '--env', 'qa', '-y'])).code, 0);
      assert.is(served(w), '1');
    });
  },
);

confirm(
  'in a terminal the question names what moves; no leaves everything as it was (exit 1), yes moves it',
  async () => {
    await AwsWorld.with(async (w) => {
      // In this process the SDK reads its endpoints and credentials from process.env, as the binary does.
      const saved = { ...process.env };
      Object.assign(process.env, w.env());
      try {
        await answered(w);
      } finally {
        for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
        Object.assign(process.env, saved);
      }
    });
  },
);

async function answered(w: AwsWorld): Promise<void> {
  {
    await seedFunctions(w, QA_FUNCTIONS);
    const repo = await deployRepo({ envExtra: ', confirm: true' });
    const questions: string[] = [];
    const answering = (answer: string) => ({
      ask: async (q: string) => {
        questions.push(q);
        return answer;
      },
    });
    const no = await runMain(['deploy', 'alpha', '--env', 'qa'], repo.dir, w.env(), answering('n'));
    assert.is(no.code, 1);
    assert.equal(no.err.at(-1), "lci: not confirmed (answered 'n'): nothing was moved");
    // The question carries the plan's summary (issue 19): what is asked is what was planned.
    assert.equal(questions, [
      `Deploy alpha (${repo.head()}) to qa, moving alias qa? (qa @ ${repo.head().slice(0, 12)}: 1 to publish, 0 intact, 0 refused) [y/N] `,
    ]);
    assert.equal(w.mutations(), []);
    const yes = await runMain(['deploy', 'alpha', '--env', 'qa'], repo.dir, w.env(), answering('yes'));
    assert.is(yes.code, 0, yes.err.join('\n'));
    assert.is(served(w), '2');
    const back = await runMain(['rollback', 'alpha', '--env', 'qa'], repo.dir, w.env(), answering('y'));
    assert.is(back.code, 0, back.err.join('\n'));
    assert.is(questions.at(-1), 'Move alias qa of alpha-qa (qa) from version 2 to 1? [y/N] ');
    assert.is(served(w), '1');
    // An environment without confirm asks nothing.
    const prod = await deployRepo();
    questions.length = 0;
    const plain = await runMain(['rollback', 'alpha', '--env', 'qa', '--to', '2'], prod.dir, w.env(), answering('n'));
    assert.is(plain.code, 0, plain.err.join('\n'));
    assert.equal(questions, []);
    assert.is(served(w), '2');
  }
}

rollback.run();
confirm.run();
