import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from './harness/cli.js';

// Formatting and lint rules (biome.json) are part of the test run, so CI fails on them.
test('biome check: formatted, and no lint rule broken (npm run format fixes formatting)', () => {
  const r = spawnSync(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'check', '--reporter=summary', '.'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
});

test.run();
