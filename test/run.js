#!/usr/bin/env node
// Runs every test/**/*.test.ts with uvu (TypeScript through tsx) and ends with the line CI reads:
// "N passed, N failed", taken from uvu's own totals. A crash before the totals counts as a failure;
// skipped tests count as failed, because a skipped test proves nothing.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pattern = process.argv[2] ?? '\\.test\\.ts$';
// --no-color: uvu would set FORCE_COLOR=1 for every child, and with NO_COLOR set too Node 24 warns on each child's stderr.
const child = spawn(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', pattern, '--no-color'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FORCE_COLOR')), NO_COLOR: '1' },
});
let output = '';
child.stdout.on('data', (b) => {
  output += b.toString();
  process.stdout.write(b);
});
child.on('close', (code) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(plain)?.[1] ?? NaN);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    console.log(`uvu exited with ${code} before printing its totals`);
    console.log(`${Number.isNaN(passed) ? 0 : passed} passed, ${Math.max(1, (total || 0) - (passed || 0))} failed`);
    process.exit(1);
  }
  const failed = total - passed;
  if (skipped > 0) console.log(`${skipped} skipped test(s) counted as failed`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && code === 0 ? 0 : 1);
});
