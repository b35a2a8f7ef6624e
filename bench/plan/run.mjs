#!/usr/bin/env node
// bench/plan: lci plan side by side with its floor (git's own diff of the two commits, packed, plus
// starting node), a naive matcher and `nx show projects --affected` on the same synthetic monorepo
// (2,000 functions, ~200,000 files, 10,000 changed paths). Every lci plan timed is checked against
// the reference in expected.json, byte for byte: a plan that differs stops the bench with exit 1.
// Usage: node bench/plan/run.mjs [RUNS]   (needs `npm install` in bench/ for nx and micromatch,
// and GNU time at /usr/bin/time for peak memory: apt-get install time)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generate } from './generate.mjs';
import { checkPlan, floorRun, median } from './measure.mjs';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const repo = join(benchDir, '.work/plan-repo');

for (const need of ['/usr/bin/time', join(benchDir, 'node_modules/.bin/nx'), join(root, 'dist/cli/main.js')]) {
  if (!existsSync(need)) {
    console.error(
      `missing ${need}: run \`npm ci\` at the root, \`npm install\` in bench/, and \`apt-get install time\``,
    );
    process.exit(2);
  }
}
console.error('generating (or reusing) the synthetic monorepo ...');
const revs = { ...generate(repo), dir: repo };
if (!existsSync(join(repo, 'node_modules'))) symlinkSync(join(benchDir, 'node_modules'), join(repo, 'node_modules'));

const nxEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CACHE: 'true' };
const contenders = [
  {
    name: 'lci plan (fresh clone: no .lci)',
    before: () => rmSync(join(repo, '.lci'), { recursive: true, force: true }),
    cmd: [process.execPath, join(root, 'bin/lci.js'), 'plan', '--base', revs.base, '--head', revs.head, '--json'],
    affected: (out) => checkPlan('lci plan', out, revs, 1),
  },
  {
    name: 'naive (micromatch, every path x every glob)',
    cmd: [process.execPath, join(benchDir, 'plan/naive.mjs'), revs.base, revs.head],
    affected: (out) => JSON.parse(out).affected,
  },
  {
    name: 'nx show projects --affected (cold)',
    before: () => rmSync(join(repo, '.nx'), { recursive: true, force: true }),
    cmd: [
      join(benchDir, 'node_modules/.bin/nx'),
      'show',
      'projects',
      '--affected',
      `--base=${revs.base}`,
      `--head=${revs.head}`,
      '--json',
    ],
    env: nxEnv,
    affected: (out) => JSON.parse(out).filter((p) => p.startsWith('svc-')).length,
  },
  {
    name: 'nx show projects --affected (warm)',
    cmd: [
      join(benchDir, 'node_modules/.bin/nx'),
      'show',
      'projects',
      '--affected',
      `--base=${revs.base}`,
      `--head=${revs.head}`,
      '--json',
    ],
    env: nxEnv,
    affected: (out) => JSON.parse(out).filter((p) => p.startsWith('svc-')).length,
  },
];

function measure(c) {
  c.before?.();
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...c.cmd], {
    cwd: repo,
    env: { ...process.env, ...c.env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, mb: kb / 1024, affected: c.affected(r.stdout) };
}

const floors = Array.from({ length: runs }, () => floorRun(repo, revs));
const floor = median(floors.map((f) => f.wall));
const results = [];
for (const c of contenders) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(measure(c));
  results.push({
    name: c.name,
    wall: median(samples.map((s) => s.wall)),
    mb: Math.max(...samples.map((s) => s.mb)),
    affected: samples[0].affected,
  });
  console.error(`  ${c.name}: ${samples.map((s) => s.wall.toFixed(2)).join(' / ')} s`);
}

const cpus = execFileSync('nproc').toString().trim();
console.log(
  `bench/plan: ${revs.functions} functions, ${revs.files} files, ${revs.changed} changed paths, ${cpus} cores, median of ${runs} runs`,
);
console.log(
  `floor (git diff of the two commits, packed, + node start): ${floor.toFixed(2)} s (git diff ${median(floors.map((f) => f.diff.wall)).toFixed(2)} s, node ${median(floors.map((f) => f.node.wall)).toFixed(2)} s); every lci plan checked against bench/plan/expected.json`,
);
console.log('');
const lci = results[0];
const rows = [
  ['contender', 'wall (s)', 'peak RSS (MB)', 'affected', 'wall / lci', 'wall / floor'],
  ...results.map((r) => [
    r.name,
    r.wall.toFixed(2),
    r.mb.toFixed(0),
    String(r.affected),
    (r.wall / lci.wall).toFixed(1),
    (r.wall / floor).toFixed(1),
  ]),
];
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
const agree = results.every((r) => r.affected === lci.affected);
console.log('');
console.log(
  agree ? `all contenders agree: ${lci.affected} functions affected` : 'contenders DISAGREE on the affected functions',
);
console.log(
  `targets: lci within 3x its floor: ${lci.wall <= 3 * floor ? 'yes' : 'NO'}; under 1 s: ${lci.wall < 1 ? 'yes' : 'NO'}; under 200 MB: ${lci.mb < 200 ? 'yes' : 'NO'}; fastest: ${results.every((r) => r === lci || r.wall > lci.wall) ? 'yes' : 'NO'}`,
);
process.exit(agree ? 0 : 1);
