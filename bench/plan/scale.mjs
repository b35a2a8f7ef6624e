#!/usr/bin/env node
// bench/plan at scale: lci plan on the synthetic monorepo of generate.mjs at 2,000 functions
// (~200,000 files, 10,000 changed paths) and at ten times that, the same shape (20,000 functions,
// ~2,000,000 files, 100,000 changed paths), side by side with its floor: git's own diff of the two
// commits (packed, as a fresh clone is) plus starting node. Reports wall time, CPU time and peak
// memory, lci / floor per run, and how they grow.
//
// Usage: node bench/plan/scale.mjs [RUNS] [--scales 1,10] [--lci PATH/TO/bin/lci.js] [--against PATH/TO/bin/lci.js]
//   --lci      the build measured (default: this checkout's)
//   --against  another build of lci (main's, say), run in alternation with it, each run checked alike
//   (needs `npm ci` and `npm run build` at the root and GNU time at /usr/bin/time; the repositories are
//   generated once and cached in bench/.work/: the large one takes a while and about 10 GB of disk)
//
// Every plan timed is checked against the reference in expected.json (main's plan of the same
// repository, byte for byte): a run that planned anything else stops the bench with exit 1.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { checkPlan, fail, floorRun, median, spread, timed } from './measure.mjs';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const against = option('--against', null);
const lciBin = resolve(option('--lci', join(root, 'bin/lci.js')));
const scales = option('--scales', '1,10').split(',').map(Number);
const runs = Number(args[0] ?? 3);
for (const need of ['/usr/bin/time', join(lciBin, '../../dist/cli/main.js'), ...(against ? [resolve(against)] : [])]) {
  if (!existsSync(need))
    fail(`missing ${need}: run \`npm ci && npm run build\` at the root and \`apt-get install time\``);
}

const sizes = scales.map((scale) => {
  console.error(`generating (or reusing) the monorepo at scale ${scale} ...`);
  const dir = join(benchDir, scale === 1 ? '.work/plan-repo' : `.work/plan-repo-x${scale}`);
  return { scale, dir, revs: { ...generate(dir, scale), dir } };
});

// `fresh`: no .lci, as in a clone CI just made (nothing kept from an earlier run); `warm`: what the
// previous run kept (.lci/cache), as on a developer's machine. The build against runs fresh.
const builds = [
  ...(against ? [{ name: 'against', bin: resolve(against), fresh: true }] : []),
  { name: 'lci', bin: lciBin, fresh: true },
  { name: 'lci warm', bin: lciBin, fresh: false },
];

function plan(build, { dir, revs, scale }) {
  if (build.fresh) rmSync(join(dir, '.lci'), { recursive: true, force: true });
  const r = timed(
    `${build.name} plan`,
    [process.execPath, build.bin, 'plan', '--base', revs.base, '--head', revs.head, '--json'],
    { cwd: dir },
  );
  return { ...r, affected: checkPlan(`${build.name} (${build.bin})`, r.stdout, revs, scale), stdout: undefined };
}

const results = sizes.map((s) => {
  // Warm the file system cache, as a CI machine that just cloned has it; checked like every run.
  floorRun(s.dir, s.revs);
  for (const b of builds) plan(b, s);
  const samples = { floor: [], ...Object.fromEntries(builds.map((b) => [b.name, []])) };
  // Alternated, so what else the machine runs falls on every contender alike.
  for (let i = 0; i < runs; i++) {
    samples.floor.push(floorRun(s.dir, s.revs));
    for (const b of builds) samples[b.name].push(plan(b, s));
  }
  const line = (xs) => xs.map((x) => x.wall.toFixed(2)).join(' / ');
  console.error(
    `  ${s.revs.functions} functions: floor ${line(samples.floor)} s; ${builds.map((b) => `${b.name} ${line(samples[b.name])} s`).join('; ')}`,
  );
  return { ...s, samples };
});

console.log(
  `bench/plan at scale: lci plan and its floor (git diff of the two commits, packed, + node start), median of ${runs} alternated runs (after one warm-up), ${execFileSync('nproc').toString().trim()} cores, node ${process.version}`,
);
console.log(`every plan checked against bench/plan/expected.json (main's plan of the same repository, byte for byte)`);
console.log('');
const rows = [
  ['functions', 'files', 'changed', 'affected', 'what', 'wall (s)', 'range', 'CPU (s)', 'peak RSS (MB)', '/ floor'],
];
for (const r of results) {
  const floor = r.samples.floor;
  const head = [String(r.revs.functions), String(r.revs.files), String(r.revs.changed)];
  rows.push([
    ...head,
    '',
    'floor: git diff + node',
    median(floor.map((x) => x.wall)).toFixed(2),
    spread(floor.map((x) => x.wall)),
    median(floor.map((x) => x.cpu)).toFixed(2),
    '',
    '1.0',
  ]);
  for (const b of builds) {
    const xs = r.samples[b.name];
    rows.push([
      ...head,
      String(xs[0].affected),
      b.name === 'against' ? `lci plan (${b.bin})` : b.fresh ? 'lci plan, fresh clone' : 'lci plan, warm .lci',
      median(xs.map((x) => x.wall)).toFixed(2),
      spread(xs.map((x) => x.wall)),
      median(xs.map((x) => x.cpu)).toFixed(2),
      Math.max(...xs.map((x) => x.mb)).toFixed(0),
      ratio(xs, floor).toFixed(1),
    ]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
console.log('');
for (const r of results) {
  const f = r.samples.floor;
  console.log(
    `floor at ${r.revs.functions} functions: git diff ${median(f.map((x) => x.diff.wall)).toFixed(2)} s, node start ${median(f.map((x) => x.node.wall)).toFixed(2)} s`,
  );
  if (against)
    console.log(
      `  lci / against at ${r.revs.functions} functions, both fresh (median of per-run ratios): wall ${ratio(r.samples.lci, r.samples.against).toFixed(2)}, CPU ${ratio(r.samples.lci, r.samples.against, 'cpu').toFixed(2)}`,
    );
}
const verdicts = results.map((r) => {
  const x = ratio(r.samples.lci, r.samples.floor);
  const w = ratio(r.samples['lci warm'], r.samples.floor);
  return `${r.revs.functions} functions within 3x the floor: fresh ${x <= 3 ? 'yes' : 'NO'} (${x.toFixed(1)}x), warm ${w <= 3 ? 'yes' : 'NO'} (${w.toFixed(1)}x)`;
});
if (results.length >= 2) {
  const [small, large] = [results[0], results.at(-1)];
  const grow = large.revs.functions / small.revs.functions;
  const w = (r) => median(r.samples.lci.map((x) => x.wall));
  const m = (r) => Math.max(...r.samples.lci.map((x) => x.mb));
  console.log(
    `growth for ${grow}x the functions: wall ${(w(large) / w(small)).toFixed(1)}x, memory ${(m(large) / m(small)).toFixed(1)}x`,
  );
  verdicts.push(
    `linear or better (at most ${grow}x in time and memory): ${w(large) <= grow * w(small) && m(large) <= grow * m(small) ? 'yes' : 'NO'}`,
  );
}
console.log(`targets: ${verdicts.join('; ')}`);

/** The median over runs of one contender's time over another's in the same round. */
function ratio(xs, ys, field = 'wall') {
  return median(xs.map((x, i) => x[field] / ys[i][field]));
}
