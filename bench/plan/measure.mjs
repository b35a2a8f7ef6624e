// What bench/plan/run.mjs and bench/plan/scale.mjs share: one timed run of a command, the floor
// of a plan (git's own diff of the two commits, packed, plus starting node), and the check that a
// timed `lci plan` did the work claimed: its --json document must equal the reference recorded in
// expected.json (the plan of main's lci on the same generated repository), byte for byte once the
// generated commits' shas are put back as <base> and <head>.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EXPECTED = new URL('./expected.json', import.meta.url);

/** Stops the bench: one line saying what went wrong, exit 1. Nothing measured is reported after it. */
export function fail(message) {
  console.error(`bench/plan: FAILED: ${message}`);
  process.exit(1);
}

/**
 * One run: wall time (measured here), CPU time (user + system) and peak RSS (from GNU time).
 * A command that fails stops the bench.
 */
export function timed(name, cmd, { cwd, env, maxBuffer = 1 << 30 } = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', ...cmd], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) fail(`${name} exited with ${r.status}: ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  const [user, sys, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, cpu: user + sys, mb: kb / 1024, stdout: r.stdout };
}

/**
 * The floor of a plan, in its two parts, each run as lci runs it: git's diff of the merge-base and
 * the head into a file (the repository is packed, as a fresh clone is), and `node -e ''`.
 */
export function floorRun(dir, revs) {
  const out = mkdtempSync(join(tmpdir(), 'bench-plan-'));
  try {
    const diff = timed(
      'git diff',
      [
        'git',
        'diff',
        '--name-only',
        '--no-renames',
        '--no-ext-diff',
        '-z',
        `--output=${join(out, 'changed')}`,
        revs.base,
        revs.head,
        '--',
      ],
      { cwd: dir },
    );
    const listed = readFileSync(join(out, 'changed'), 'utf8').split('\0').filter(Boolean).length;
    if (listed !== revs.changed)
      fail(
        `git diff listed ${listed} changed paths, the generator committed ${revs.changed}: the floor is not this repository's`,
      );
    const node = timed('node -e', [process.execPath, '-e', ''], { cwd: dir });
    return { wall: diff.wall + node.wall, cpu: diff.cpu + node.cpu, diff, node };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The reference of a generated repository (by scale), or null when none is recorded. */
export function reference(scale) {
  const all = JSON.parse(readFileSync(EXPECTED, 'utf8'));
  return all.scales[String(scale)] ?? null;
}

/** The plan document with the generated commits' shas (which change with each generation) named instead. */
export function normalised(stdout, revs) {
  return stdout.replaceAll(revs.base, '<base>').replaceAll(revs.head, '<head>');
}

export function digest(text) {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Fails the bench unless `stdout` is the plan the reference recorded: the same functions, the same
 * changed paths, the same affected count and the same document byte for byte. Returns the affected count.
 */
export function checkPlan(who, stdout, revs, scale) {
  const ref = reference(scale);
  if (!ref) fail(`no reference plan for scale ${scale} in bench/plan/expected.json`);
  let doc;
  try {
    doc = JSON.parse(stdout);
  } catch {
    fail(`${who} printed no JSON plan (${stdout.length} bytes on stdout)`);
  }
  const affected = doc.functions.filter((f) => f.affected).length;
  const what = `${doc.functions.length} functions, ${doc.changedPaths} changed paths, ${affected} affected`;
  const wanted = `${ref.functions} functions, ${ref.changedPaths} changed paths, ${ref.affected} affected`;
  if (what !== wanted)
    fail(`${who} planned ${what}; the reference is ${wanted}: the time measured is not the work claimed`);
  const sha = digest(normalised(stdout, revs));
  if (sha !== ref.sha256)
    fail(
      `${who}'s plan document differs from the reference (sha256 ${sha.slice(0, 12)}, reference ${ref.sha256.slice(0, 12)}), though the counts agree: compare it with main's lci on ${revs.dir ?? 'the repository'}`,
    );
  return affected;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const spread = (xs) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
