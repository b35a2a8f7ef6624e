#!/usr/bin/env node
// bench/package: lci's code packaging vs Debian's Info-ZIP `zip -r -X -q`, side by side, on one synthetic
// tree of ~150 MB in 20,000 files (text, and already-compressed binaries) committed to a git repository
// of its own (lci packages what git tracks).
//
// Usage: node bench/package/run.mjs [RUNS] [--files N] [--work DIR] [--lci PATH/TO/bin/lci.js]
//   (needs GNU time at /usr/bin/time, zip and unzip)
//
// Every run is checked: the zip each contender wrote must hold every file of the tree, with its bytes
// (read back with Info-ZIP's zipinfo, and for lci also from its --json report, which must say the zip
// was written, not reused). A run that did less work than claimed stops the bench with exit 1.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  return value;
};
const FILES = Number(option('--files', 20_000));
const work = resolve(option('--work', join(root, 'bench/.work/package')));
const lciBin = resolve(option('--lci', join(root, 'bin/lci.js')));
const runs = Number(args[0] ?? 5);
const tree = join(work, 'project');
const VERSION = '3';
const TEXT_FILES = Math.round(FILES * 0.8);
const TOTAL_BYTES = Math.round(FILES * 7_500); // 150 MB for 20,000 files

const WORDS =
  'lambda function handler event context request response payload record batch queue topic stream table index cache token session user order invoice payment amount currency customer address product price'.split(
    ' ',
  );

/** Fails the bench: one line saying what went wrong, exit 1. */
function fail(message) {
  console.error(`bench/package: FAILED: ${message}`);
  process.exit(1);
}

function git(...gitArgs) {
  const r = spawnSync('git', gitArgs, {
    cwd: tree,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
      GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
    },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) fail(`git ${gitArgs.join(' ')} in ${tree}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** The tree, generated once (and again when its shape changes): what every zip must hold. */
function generate() {
  const stamp = join(work, '.version');
  const shape = `${VERSION} ${FILES}`;
  if (existsSync(stamp)) {
    const recorded = JSON.parse(readFileSync(stamp, 'utf8'));
    if (recorded.shape === shape) return recorded.expected;
  }
  rmSync(work, { recursive: true, force: true });
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const textBytes = Math.floor(TOTAL_BYTES * 0.55);
  const binBytes = TOTAL_BYTES - textBytes;
  let written = 0;
  for (let i = 0; i < FILES; i++) {
    const dir = join(tree, 'svc', `pkg${i % 97}`, `mod${i % 13}`);
    mkdirSync(dir, { recursive: true });
    if (i < TEXT_FILES) {
      const size = Math.floor((textBytes / TEXT_FILES) * (0.2 + 1.6 * rand()));
      const parts = [];
      let n = 0;
      while (n < size) {
        const line = `${WORDS[Math.floor(rand() * WORDS.length)]}_${Math.floor(rand() * 1000)} = ${WORDS[Math.floor(rand() * WORDS.length)]}(${Math.floor(rand() * 1e6)})\n`;
        parts.push(line);
        n += line.length;
      }
      const text = parts.join('');
      writeFileSync(join(dir, `f${i}.py`), text);
      written += text.length;
    } else {
      const size = Math.floor((binBytes / (FILES - TEXT_FILES)) * (0.2 + 1.6 * rand()));
      // incompressible bytes, like images or wheels: a hash chain is fast and deterministic
      const chunks = [];
      let block = createHash('sha512').update(String(i)).digest();
      for (let n = 0; n < size; n += 64) chunks.push((block = createHash('sha512').update(block).digest()));
      const data = Buffer.concat(chunks).subarray(0, size);
      writeFileSync(join(dir, `b${i}.${i % 2 ? 'png' : 'gz'}`), data);
      written += data.length;
    }
  }
  writeFileSync(
    join(tree, 'lambdas.yaml'),
    'version: 1\nartifacts: { bucket: bench }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  svc: { path: svc, descriptor: false }\n',
  );
  writeFileSync(join(tree, '.gitignore'), '.lci/\n');
  // A repository of its own: the lci checkout's .gitignore leaves bench/.work/ out of lci's repository.
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'bench tree');
  git('repack', '-a', '-d', '-q');
  const expected = { entries: FILES, bytes: written };
  writeFileSync(stamp, JSON.stringify({ shape, expected }));
  console.error(`generated and committed ${FILES} files, ${(written / 1e6).toFixed(1)} MB, in ${tree}`);
  return expected;
}

function timed(name, cmd, cmdArgs) {
  // Every contender starts with no dirty pages of another's zip to write back: on a slow disk the
  // kernel makes whoever writes next wait for them.
  spawnSync('sync');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', cmd, ...cmdArgs], {
    cwd: tree,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const lines = r.stderr.trim().split('\n');
  const last = lines.at(-1) ?? '';
  if (r.status !== 0) {
    const said = lines.slice(0, -1).filter((l) => !l.startsWith('Command exited with non-zero status'));
    fail(`${name} exited with ${r.status}: ${said.join(' | ')}`);
  }
  const [wall, user, sys, kb] = last.split(' ').map(Number);
  return { wall, cpu: user + sys, mb: kb / 1024, stdout: r.stdout };
}

/** Files (directory entries left out) and unzipped bytes of a zip, as Info-ZIP's zipinfo reads its central directory. */
function zipTotals(path) {
  if (!existsSync(path)) return { entries: 0, bytes: 0, size: 0, note: 'no zip was written' };
  const size = readFileSync(path).length;
  const totals = spawnSync('unzip', ['-Zt', path], { encoding: 'utf8' });
  const m = /^(\d+) files?, (\d+) bytes? uncompressed/m.exec(totals.stdout);
  if (!m) {
    if (/Empty zipfile/i.test(totals.stdout + totals.stderr)) return { entries: 0, bytes: 0, size };
    return { entries: 0, bytes: 0, size, note: `zipinfo cannot read it: ${(totals.stdout + totals.stderr).trim()}` };
  }
  const names = spawnSync('unzip', ['-Z1', path], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.split('\n');
  return { entries: names.filter((n) => n !== '' && !n.endsWith('/')).length, bytes: Number(m[2]), size };
}

/** Stops the bench when a contender's zip is not the whole tree: the time measured would not be the work claimed. */
function checkZip(name, totals, expected) {
  if (totals.entries === expected.entries && totals.bytes === expected.bytes) return;
  const what = `${totals.entries} entries, ${totals.bytes} bytes unzipped${totals.note ? ` (${totals.note})` : ''}`;
  fail(
    `${name} wrote a zip of ${what}; the tree holds ${expected.entries} files, ${expected.bytes} bytes: the time measured is not the work claimed`,
  );
}

function lciRun() {
  rmSync(join(tree, '.lci'), { recursive: true, force: true }); // nothing to reuse: every run zips
  const t = timed('lci build', process.execPath, [lciBin, 'build', '--json']);
  let code;
  try {
    code = JSON.parse(t.stdout).functions[0].code;
  } catch {
    fail(`lci build --json printed no function's code: ${t.stdout.slice(0, 300)}`);
  }
  if (code.reused !== false) fail('lci build reused a zip instead of writing one');
  checkZip('lci build (its --json report)', { entries: code.entries, bytes: code.unzippedBytes }, expected);
  return { ...t, out: join(tree, '.lci/dist/svc/app.zip') };
}

function zipRun(zipArgs, out) {
  return () => {
    rmSync(out, { force: true });
    return { ...timed(`zip ${zipArgs.join(' ')}`, 'zip', [...zipArgs, out, 'svc']), out };
  };
}

const expected = generate();
const contenders = [
  { name: 'lci build (code package)', run: lciRun },
  { name: 'zip -r -X -q', run: zipRun(['-r', '-X', '-q'], join(work, 'zip-r.zip')) },
  // The same work as lci: store what is already compressed instead of trying to deflate it.
  { name: 'zip -r -X -q -n .png:.gz', run: zipRun(['-r', '-X', '-q', '-n', '.png:.gz'], join(work, 'zip-n.zip')) },
];
const LIKE = 2; // the like-for-like contender the targets compare with
const samples = contenders.map(() => []);
for (let i = 0; i < runs; i++) {
  // interleaved: every contender sees the same machine
  contenders.forEach((c, k) => {
    const s = c.run();
    const totals = zipTotals(s.out);
    checkZip(c.name, totals, expected);
    samples[k].push({ ...s, size: totals.size });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs, digits = 2) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
/** Per-run ratios against the like-for-like zip run of the same round. */
const ratios = (k, field) => samples[k].map((s, i) => s[field] / samples[LIKE][i][field]);

console.log(
  `bench/package: ${FILES} files, ${(expected.bytes / 1e6).toFixed(1)} MB, ${availableParallelism()} cores, ${runs} interleaved runs; median (min–max)`,
);
console.log(`every zip checked: ${expected.entries} entries, ${expected.bytes} bytes unzipped`);
console.log('');
const table = [
  ['contender', 'wall (s)', 'CPU (s)', 'peak RSS (MB)', 'zip (MB)', 'wall / zip -n', 'CPU / zip -n'],
  ...contenders.map((c, k) => [
    c.name,
    spread(samples[k].map((s) => s.wall)),
    spread(samples[k].map((s) => s.cpu)),
    Math.max(...samples[k].map((s) => s.mb)).toFixed(0),
    (samples[k][0].size / 1e6).toFixed(1),
    spread(ratios(k, 'wall')),
    spread(ratios(k, 'cpu')),
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
console.log('');
const wallRatio = median(ratios(0, 'wall'));
const cpuRatio = median(ratios(0, 'cpu'));
const peak = Math.max(...samples[0].map((s) => s.mb));
const verdict = (ok) => (ok ? 'yes' : 'NO');
console.log(
  `targets against zip -r -X -q -n .png:.gz (median of per-run ratios): CPU <= 1.0x: ${cpuRatio.toFixed(2)}x ${verdict(cpuRatio <= 1)}; wall <= 0.6x: ${wallRatio.toFixed(2)}x ${verdict(wallRatio <= 0.6)}; peak RSS <= 150 MB: ${peak.toFixed(0)} MB ${verdict(peak <= 150)}`,
);
