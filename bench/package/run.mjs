#!/usr/bin/env node
// bench/package: lci's code packaging vs Debian's `zip -r -X -q`, side by side, on one synthetic
// tree of ~150 MB in 20,000 files (text, and already-compressed binaries).
// Usage: node bench/package/run.mjs [RUNS]   (needs GNU time at /usr/bin/time and zip)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = join(root, 'bench/.work/package');
const tree = join(work, 'project');
const runs = Number(process.argv[2] ?? 3);
const VERSION = '1';
const FILES = 20_000;
const TEXT_FILES = 16_000;
const TOTAL_BYTES = 150_000_000;

const WORDS =
  'lambda function handler event context request response payload record batch queue topic stream table index cache token session user order invoice payment amount currency customer address product price'.split(
    ' ',
  );

function generate() {
  const stamp = join(work, '.version');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === VERSION) return;
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
    join(work, 'project/lambdas.yaml'),
    'version: 1\nartifacts: { bucket: bench }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  svc: { path: svc, descriptor: false }\n',
  );
  writeFileSync(stamp, VERSION);
  console.error(`generated ${FILES} files, ${(written / 1e6).toFixed(1)} MB`);
}

function timed(cmd, args, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const [wall, kb] = r.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { wall, mb: kb / 1024 };
}

generate();
const zipOut = join(work, 'zip-r.zip');
const contenders = [
  {
    name: 'lci build (code package)',
    run: () => timed(process.execPath, [join(root, 'bin/lci.js'), 'build', '--json'], tree),
    out: join(tree, '.lci/dist/svc/app.zip'),
  },
  {
    name: 'zip -r -X -q',
    run: () => (rmSync(zipOut, { force: true }), timed('zip', ['-r', '-X', '-q', zipOut, 'svc'], tree)),
    out: zipOut,
  },
  // The same work as lci: store what is already compressed instead of trying to deflate it.
  {
    name: 'zip -r -X -q -n .png:.gz',
    run: () => (
      rmSync(zipOut + '2', { force: true }),
      timed('zip', ['-r', '-X', '-q', '-n', '.png:.gz', zipOut + '2', 'svc'], tree)
    ),
    out: zipOut + '2',
  },
];
const samples = contenders.map(() => []);
for (let i = 0; i < runs; i++) contenders.forEach((c, k) => samples[k].push(c.run())); // interleaved: both see the same machine
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = contenders.map((c, k) => ({
  name: c.name,
  wall: median(samples[k].map((s) => s.wall)),
  mb: Math.max(...samples[k].map((s) => s.mb)),
  size: readFileSync(c.out).length,
}));
console.log(
  `bench/package: ${FILES} files, ${(TOTAL_BYTES / 1e6).toFixed(0)} MB, ${availableParallelism()} cores, median of ${runs} interleaved runs`,
);
console.log('');
const table = [
  ['contender', 'wall (s)', 'peak RSS (MB)', 'zip size (MB)', 'wall / zip'],
  ...rows.map((r) => [
    r.name,
    r.wall.toFixed(2),
    r.mb.toFixed(0),
    (r.size / 1e6).toFixed(1),
    (r.wall / rows[1].wall).toFixed(2),
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
console.log('');
console.log(
  `targets: ratio <= 1.0 against both zip runs: ${rows[0].wall <= Math.min(rows[1].wall, rows[2].wall) ? 'yes' : 'NO'}; peak memory < 150 MB: ${rows[0].mb < 150 ? 'yes' : 'NO'}`,
);
