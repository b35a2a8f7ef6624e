import type { ChildProcess } from 'node:child_process';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions } from './harness/deploy-fixture.js';

// lci logs against the CloudWatch Logs stand-in: the group /aws/lambda/<name>, narrowed to a
// version by the [N] in Lambda's stream names, --since, --filter, --json and --follow.

const GROUP = '/aws/lambda/alpha-qa';
const stream = (version: string, n: number) => `2026/01/01/[${version}]${String(n).padStart(32, '0')}`;

const logs = suite('lci logs: a version of a function, from its CloudWatch Logs');

logs('the versions the alias serves by default; --version, --version all, --since and --filter narrow it', async () => {
  await AwsWorld.with(async (w) => {
    await seedFunctions(w, QA_FUNCTIONS);
    const repo = await deployRepo();
    const now = Date.now();
    w.logs.putEvents(GROUP, stream('1', 1), [
      { timestamp: now - 7_200_000, message: 'v1 two hours ago\n' },
      { timestamp: now - 60_000, message: 'v1 ERROR a minute ago\n' },
      { timestamp: now - 30_000, message: 'v1 fine\n' },
    ]);
    w.logs.putEvents(GROUP, stream('2', 2), [{ timestamp: now - 40_000, message: 'v2 ERROR elsewhere\n' }]);
    w.logs.putEvents(GROUP, stream('$LATEST', 3), [{ timestamp: now - 20_000, message: 'latest\n' }]);
    const run = (args: string[]) =>
      lciAsync(['logs', 'alpha', '--env', 'qa', ...args], { cwd: repo.dir, env: w.env() });

    const served = await run([]);
    assert.is(served.code, 0, served.stderr);
    const lines = served.stdout.trim().split('\n');
    assert.equal(
      lines.map((l) => l.replace(/^\S+Z /, '')),
      ['[1] v1 ERROR a minute ago', '[1] v1 fine'],
    );
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[1\] /);
    assert.match((await run(['--version', '2'])).stdout, /^\S+ \[2\] v2 ERROR elsewhere\n$/);
    assert.equal((await run(['--version', 'all', '--since', '3h'])).stdout.trim().split('\n').length, 5);
    assert.equal((await run(['--version', 'all', '--filter', 'ERROR'])).stdout.match(/ERROR/g)?.length, 2);
    const json = await run(['--json']);
    const doc = JSON.parse(json.stdout);
    assert.equal([doc.command, doc.logGroup, doc.versions, doc.events.length], ['logs', GROUP, ['1'], 2]);
    assert.equal(Object.keys(doc.events[0]), ['timestamp', 'time', 'version', 'stream', 'message']);
    const bad = await run(['--since', 'yesterday']);
    assert.is(bad.code, 2);
    assert.is(
      bad.stderr,
      "lci: --since 'yesterday' is not a duration: give a number and a unit, s, m, h or d, such as 90s, 1.5m, 12h or 30d\n",
    );
    const never = await lciAsync(['logs', 'beta', '--env', 'qa'], { cwd: repo.dir, env: w.env() });
    assert.is(never.code, 0, 'a function that never ran has no log group yet: nothing to show');
    assert.is(never.stdout, '');
  });
});

logs('--follow prints new events as they arrive, each once, until Ctrl-C', async () => {
  await AwsWorld.with(async (w) => {
    await seedFunctions(w, QA_FUNCTIONS);
    const repo = await deployRepo();
    w.logs.putEvents(GROUP, stream('1', 1), [{ timestamp: Date.now() - 5_000, message: 'before\n' }]);
    let child!: ChildProcess;
    let out = '';
    const done = lciAsync(['logs', 'alpha', '--env', 'qa', '--follow'], {
      cwd: repo.dir,
      env: w.env(),
      started: (c) => {
        child = c;
        c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      },
    });
    const until = async (text: string) => {
      while (!out.includes(text)) await new Promise((r) => setTimeout(r, 50));
    };
    await until('before');
    w.logs.putEvents(GROUP, stream('1', 4), [{ timestamp: Date.now(), message: 'arrived later\n' }]);
    w.logs.putEvents(GROUP, stream('2', 5), [{ timestamp: Date.now(), message: 'another version\n' }]);
    await until('arrived later');
    await new Promise((r) => setTimeout(r, 2500)); // one more poll: nothing is printed twice
    child.kill('SIGINT');
    const r = await done;
    assert.is(r.code, 130);
    assert.is(r.stdout.match(/before/g)?.length, 1);
    assert.is(r.stdout.match(/arrived later/g)?.length, 1);
    assert.not.match(r.stdout, /another version/);
  });
});

logs.run();
