import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { requireDocker } from './harness/docker.js';
import type { GitRepo } from './harness/git-repo.js';

// The smoke gate: after PublishVersion and before the alias moves at all, the new version (its
// qualified ARN) is invoked with each smoke event; the Lambda stand-in really runs the handler in
// Docker. A failure leaves the alias untouched and says why, with the response and the log tail.

const smoke = suite('smoke: the new version answers before any traffic moves');

smoke.before(requireDocker);

const served = (w: AwsWorld) => w.lambda.functionState('alpha-qa')?.aliases.qa?.FunctionVersion;

async function deploy(w: AwsWorld, repo: GitRepo, args: string[] = []) {
  const r = await lciAsync(['deploy', 'alpha', '--env', 'qa', ...args], { cwd: repo.dir, env: w.env() });
  return {
    ...r,
    json: args.includes('--json') ? (JSON.parse(r.stdout) as DeployJson & { functions: { smoke: unknown }[] }) : null,
  };
}

const code = (body: string) => ({ 'svc/alpha/app.py': `def handler(event, context):\n${body}` });

smoke(
  'a failing version leaves the alias untouched and prints the function error, the response and the log tail; a passing one moves it',
  async () => {
    await AwsWorld.with(async (w) => {
      await seedFunctions(w, QA_FUNCTIONS);
      const repo = await deployRepo({ envExtra: ', smoke: [{ file: smoke/ping.json, expect: { pong: 1 } }]' });
      repo.commit({
        'smoke/ping.json': '{"ping": 1}',
        ...code('    print("checking", event)\n    raise ValueError("the database is gone")\n'),
      });
      w.lambda.clearLog();
      const failed = await deploy(w, repo);
      assert.is(failed.code, 1);
      assert.match(
        failed.stderr,
        /lci: function alpha \(alpha-qa\): smoke test 1\/1 \(smoke\/ping\.json\) failed on version 2: function error Unhandled; the alias still points to version 1\n {2}response: \{"errorMessage":"the database is gone","errorType":"ValueError".*\n {2}log tail:\n(?: {4}\| .*\n)*? {4}\| checking \{'ping': 1\}\n(?: {4}\| .*\n)*? {4}\| \[ERROR\] ValueError: the database is gone\n/,
      );
      assert.is(served(w), '1', 'the alias did not move');
      const ops = w.lambda.log.map(
        (l) => `${l.operation}${l.operation === 'Invoke' ? ` ${l.path.split('?')[1]}` : ''}`,
      );
      assert.ok(ops.includes('Invoke Qualifier=2'), `the new version was invoked by its number: ${ops.join(', ')}`);
      assert.not.ok(ops.includes('UpdateAlias'), 'no UpdateAlias at all');

      repo.commit(code('    return {"pong": event["ping"], "version": context.function_version}\n'));
      w.lambda.clearLog();
      const passed = await deploy(w, repo, ['--json', '--logs', '2s']);
      assert.is(passed.code, 0, passed.stderr);
      assert.is(served(w), '3');
      assert.equal(passed.json!.functions[0]!.smoke, { passed: 1 });
      // --logs: the new version's log after the release, here the smoke invocation's, on stderr.
      assert.match(passed.stderr, /(^|\n)\[alpha\] \S+Z \[3\] START RequestId: \S+ Version: 3\n/);
      assert.not.match(passed.stderr, /\[alpha\] \S+Z \[2\]/, 'only the new version');
      const order = w.lambda.log.map((l) => l.operation).filter((o) => o === 'Invoke' || o === 'UpdateAlias');
      assert.equal(order, ['Invoke', 'UpdateAlias'], 'invoked before the alias moved');
    });
  },
);

smoke(
  'a response that does not match expect fails; on a first deploy no alias is created until the new version passes',
  async () => {
    await AwsWorld.with(async (w) => {
      await seedFunctions(w, [{ name: 'beta', alias: 'other' }]); // beta has no alias qa yet
      const repo = await deployRepo({
        envExtra: ', smoke: [{ event: { path: "/health" }, expect: { statusCode: 200, body: { ok: true } } }]',
      });
      repo.commit({
        'svc/beta/app.py': 'def handler(event, context):\n    return {"statusCode": 200, "body": {"ok": False}}\n',
      });
      const r = await lciAsync(['deploy', 'beta', '--env', 'qa'], { cwd: repo.dir, env: w.env() });
      assert.is(r.code, 1);
      assert.match(
        r.stderr,
        /smoke test 1\/1 \(inline event\) failed on version 2: the response does not match expect: \$\.body\.ok: expected true, got false; alias qa was not created\n {2}response: \{"statusCode": 200, "body": \{"ok": false\}\}/,
      );
      assert.is(w.lambda.functionState('beta')!.aliases.qa, undefined);
      repo.commit({
        'svc/beta/app.py':
          'def handler(event, context):\n    return {"statusCode": 200, "body": {"ok": event["path"] == "/health"}}\n',
      });
      const ok = await lciAsync(['deploy', 'beta', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
      assert.is(ok.code, 0, ok.stderr);
      assert.is(w.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '3');
      assert.equal((JSON.parse(ok.stdout) as DeployJson).functions[0]!.calls.at(-1), 'CreateAlias qa → 3');
    });
  },
);

smoke.run();
