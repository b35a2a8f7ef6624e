#!/usr/bin/env node
// bench/plan at scale: lci plan on the synthetic monorepo of generate.mjs at 2,000 functions
// (~200,000 files, 10,000 changed paths) and at ten times that, the same shape (20,000 functions,
// ~2,000,000 files, 100,000 changed paths): wall time and peak memory, and how they grow.
// Usage: node bench/plan/scale.mjs [RUNS]   (needs `npm ci` at the root and GNU time at
// /usr/bin/time; the repositories are generated once and cached in bench/.work/: the large one
// takes a while and about 10 GB of disk)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.argv[2] ?? 3);
for (const need of ['/usr/bin/time', join(root, 'dist/cli/main.js')]) {
  if (!existsSync(need)) {
    console.error(`missing ${need}: run \`npm ci\` at the root and \`apt-get install time\``);
    process.exit(2);
  }
}

const sizes = [1, 10].map((scale) => {
  console.error(`generating (or reusing) the monorepo at scale ${scale} ...`);
  const dir = join(benchDir, scale === 1 ? '.work/plan-repo' : `.work/plan-repo-x${scale}`);
  return { scale, dir, revs: generate(dir, scale) };
});

function measure({ dir, revs }) {
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %M',
      process.execPath,
      join(root, 'bin/lci.js'),
      'plan',
      '--base',
      revs.base,
      '--head',
      revs.head,
      '--json',
    ],
    {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  if (r.status !== 0) throw new Error(`lci plan failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, mb: kb / 1024, affected: JSON.parse(r.stdout).functions.filter((f) => f.affected).length };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = sizes.map((s) => {
  measure(s); // warm the file system cache, as a CI machine that just cloned has it
  const samples = Array.from({ length: runs }, () => measure(s));
  console.error(`  ${s.revs.functions} functions: ${samples.map((x) => x.wall.toFixed(2)).join(' / ')} s`);
  return {
    ...s,
    wall: median(samples.map((x) => x.wall)),
    mb: Math.max(...samples.map((x) => x.mb)),
    affected: samples[0].affected,
  };
});

const [small, large] = results;
console.log(
  `bench/plan at scale: lci plan, median of ${runs} runs (after one warm-up), ${execFileSync('nproc').toString().trim()} cores`,
);
console.log('');
const rows = [
  ['functions', 'files', 'changed paths', 'affected', 'wall (s)', 'peak RSS (MB)'],
  ...results.map((r) => [
    String(r.revs.functions),
    String(r.revs.files),
    String(r.revs.changed),
    String(r.affected),
    r.wall.toFixed(2),
    r.mb.toFixed(0),
  ]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
console.log('');
const grow = large.revs.functions / small.revs.functions;
console.log(
  `growth for ${grow}× the functions: wall ${(large.wall / small.wall).toFixed(1)}×, memory ${(large.mb / small.mb).toFixed(1)}×`,
);
console.log(
  `targets: linear (at most ${grow}× in time and memory): ${large.wall <= grow * small.wall && large.mb <= grow * small.mb ? 'yes' : 'NO'}; ${large.revs.functions} functions under 8 s: ${large.wall < 8 ? 'yes' : 'NO'}; under 1 GB: ${large.mb < 1024 ? 'yes' : 'NO'}`,
);
