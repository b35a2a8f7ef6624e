import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from './harness/cli.js';

// The README's main job, `npm run demo`, as a user runs it: the example monorepo planned, then
// deployed twice to the stand-ins: the first run publishes, the second writes nothing.
test('npm run demo: the example monorepo deploys, then a second deploy writes nothing', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /qa, source [0-9a-f]{40}, all-at-once: 4 published, 0 intact, 0 failed/);
  assert.match(r.stdout, /all-at-once: 0 published, 4 intact, 0 failed/);
  assert.match(r.stdout, /\(\d+ Lambda requests, 0 of them writes\)/);
  // The shipped example is on current runtimes: no command of the demo warns.
  assert.not.match(`${r.stdout}\n${r.stderr}`, /warning|deprecated/i);
});

test.run();
