#!/usr/bin/env node
// How many paths lci may hand git before asking about the whole work tree is cheaper. In the
// monorepo of bench/plan (2,000 functions, ~200,000 tracked files), with 20 functions' files left
// uncommitted, it runs side by side, alternating: `git status` and `git ls-files` limited to N
// function directories as literal pathspecs (what lci ran for any N up to 64 KB of paths), the same
// commands on the whole tree (the baseline), and lci's own dirtyTrackedPaths and
// trackedFilesWithin for those N directories (which ask about the whole tree above MAX_PATHSPECS).
// Every answer is checked: the uncommitted files and tracked files within the N directories.
//
// Usage: npm run build && node bench/git/pathspecs.mjs [RUNS]   (the repository is bench/plan's, generated once)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../plan/generate.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { dirtyTrackedPaths, trackedFilesWithin, MAX_PATHSPECS } = await import(join(root, 'dist/vcs/tracked.js'));
const runs = Number(process.argv[2] ?? 5);
const dir = join(root, 'bench/.work/plan-repo');
console.error('generating (or reusing) the monorepo of bench/plan ...');
generate(dir, 1);

class Failed extends Error {}
const fail = (message) => {
  throw new Failed(`bench/git: FAILED: ${message}`);
};
const git = (args) => execFileSync('git', args, { cwd: dir, maxBuffer: 1 << 28 });
const listed = (out) =>
  out
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '');
const tracked = listed(git(['ls-files', '-z', '--cached', '--full-name']));
const services = [...new Set(tracked.filter((p) => p.startsWith('services/')).map((p) => p.split('/', 2).join('/')))];
if (services.length !== 2000) {
  console.error(`bench/git: FAILED: the repository has ${services.length} function directories, not 2000`);
  process.exit(1);
}

// Every 100th function gets one uncommitted file: 20 in all, put back at the end.
const dirtied = services.filter((_, i) => i % 100 === 0).map((d) => tracked.find((p) => p.startsWith(`${d}/`)));
const before = dirtied.map((p) => readFileSync(join(dir, p)));
dirtied.forEach((p, i) => writeFileSync(join(dir, p), Buffer.concat([before[i], Buffer.from('\n# uncommitted\n')])));

const ms = (f) => {
  const t = process.hrtime.bigint();
  const out = f();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, out };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const STATUS = ['status', '--porcelain=v1', '-z', '--untracked-files=no', '--no-renames'];
const LS = ['ls-files', '-z', '--cached', '--full-name'];
const statusPaths = (out) => listed(out).map((e) => e.slice(3));

const rows = [];
try {
  for (const n of [1, 8, MAX_PATHSPECS, 100, 300, 1000]) {
    const step = Math.floor(2000 / n);
    const within = services.filter((_, i) => i % step === 0).slice(0, n);
    const inside = (p) => within.some((d) => p.startsWith(`${d}/`));
    const wantDirty = dirtied.filter(inside).sort().join();
    const wantTracked = tracked.filter(inside).length;
    const samples = { status: [], whole: [], lci: [], ls: [], lsWhole: [], lciLs: [] };
    for (let r = 0; r < runs; r++) {
      const s = ms(() => statusPaths(git(['--literal-pathspecs', ...STATUS, '--', ...within])));
      if (s.out.sort().join() !== wantDirty) fail(`git status of ${n} paths listed ${s.out.length} files`);
      samples.status.push(s.ms);
      const w = ms(() => statusPaths(git(STATUS)));
      if (w.out.length !== dirtied.length) fail(`git status of the whole tree listed ${w.out.length} files, not 20`);
      samples.whole.push(w.ms);
      const t = process.hrtime.bigint();
      const ours = await dirtyTrackedPaths(dir, within);
      samples.lci.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (ours.sort().join() !== wantDirty) fail(`lci's dirtyTrackedPaths of ${n} paths gave ${ours.length} files`);
      const l = ms(() => listed(git(['--literal-pathspecs', ...LS, '--', ...within])));
      if (l.out.length !== wantTracked)
        fail(`git ls-files of ${n} paths listed ${l.out.length} files, not ${wantTracked}`);
      samples.ls.push(l.ms);
      const lw = ms(() => listed(git(LS)));
      if (lw.out.length !== tracked.length) fail(`git ls-files listed ${lw.out.length} files, not ${tracked.length}`);
      samples.lsWhole.push(lw.ms);
      const t2 = process.hrtime.bigint();
      const index = await trackedFilesWithin(dir, within);
      const found = within.filter((d) => index.hasUnder(d)).length;
      samples.lciLs.push(Number(process.hrtime.bigint() - t2) / 1e6);
      if (found !== n) fail(`lci's trackedFilesWithin found files under ${found} of ${n} directories`);
    }
    rows.push([n, ...Object.values(samples).map(median)]);
  }
} catch (e) {
  if (!(e instanceof Failed)) throw e;
  console.error(e.message);
  process.exitCode = 1;
} finally {
  dirtied.forEach((p, i) => writeFileSync(join(dir, p), before[i]));
}
if (process.exitCode) process.exit();

console.log(
  `bench/git: ${tracked.length} tracked files, 20 uncommitted; git limited to N function directories; median of ${runs} alternating runs (ms)`,
);
console.log('(lci asks git about at most', MAX_PATHSPECS, 'paths, else about the whole tree)\n');
const head = [
  'N paths',
  'status of N',
  'status, whole',
  'lci dirty',
  'ls-files of N',
  'ls-files, whole',
  'lci tracked',
];
console.log(head.map((h) => h.padStart(17)).join(''));
for (const row of rows) console.log(row.map((v, i) => (i === 0 ? String(v) : v.toFixed(0)).padStart(17)).join(''));
