// bench/package/deflate.ts: deflating files one by one, Node's deflateRawSync per file (a new zlib
// stream each) against lci's reused stream (src/package/reused-deflate.ts), alternating, on a
// generated set of source-like files, at the window size the zip writer picks for each file.
// Reports CPU time (median, range) and their ratio; every output must equal deflateRawSync's,
// byte for byte, or the bench stops with exit 1.
// Usage: node --import tsx bench/package/deflate.ts [RUNS] [--files N]
import * as zlib from 'node:zlib';
import { reusingDeflater } from '../../src/package/reused-deflate.js';
import { windowBitsFor } from '../../src/package/zip.js';

const RUNS = Number(process.argv[2] ?? 9);
const at = process.argv.indexOf('--files');
const COUNT = at > 0 ? Number(process.argv[at + 1]) : 20_000;
const LEVEL = 6;

const words = 'const let function return import export from if else for while class new this await async'.split(' ');
const files: Buffer[] = [];
for (let i = 0; i < COUNT; i++) {
  const size =
    i % 50 === 0 ? 40_000 + ((i * 131) % 60_000) : i % 7 === 0 ? 1 + (i % 300) : 3_000 + ((i * 7919) % 6_000);
  let s = '';
  while (s.length < size)
    s += `${words[(s.length * 31 + i) % words.length]}${s.length % 13 === 0 ? '\n' : ' '}${(i * s.length) % 97}`;
  files.push(Buffer.from(s.slice(0, size)));
}
const bits = files.map((f) => windowBitsFor(f.length));
const inputBytes = files.reduce((n, f) => n + f.length, 0);

function perFile(): Buffer[] {
  return files.map((f, k) => zlib.deflateRawSync(f, { level: LEVEL, windowBits: bits[k] }));
}
function reused(): Buffer[] {
  const deflate = reusingDeflater(zlib);
  if (deflate.name !== 'reused') fail(`this Node.js (${process.version}) falls back to deflateRawSync`);
  return files.map((f, k) => {
    const out = Buffer.allocUnsafe(f.length);
    const n = deflate(f, bits[k]!, LEVEL, out, 0);
    return n < 0 ? f : out.subarray(0, n);
  });
}
function fail(why: string): never {
  console.error(`bench/package/deflate: FAILED: ${why}`);
  process.exit(1);
}
const cpu = (f: () => Buffer[]) => {
  const t = process.cpuUsage();
  const out = f();
  const d = process.cpuUsage(t);
  return { ms: (d.user + d.system) / 1000, out };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const times = { perFile: [] as number[], reused: [] as number[] };
for (let r = 0; r < RUNS; r++) {
  const a = cpu(perFile);
  const b = cpu(reused);
  times.perFile.push(a.ms);
  times.reused.push(b.ms);
  let deflated = 0;
  for (let k = 0; k < files.length; k++) {
    const expected = a.out[k]!.length < files[k]!.length ? a.out[k]! : files[k]!;
    if (!b.out[k]!.equals(expected))
      fail(`run ${r + 1}: file ${k} (${files[k]!.length} bytes) deflated to other bytes`);
    if (expected !== files[k]) deflated++;
  }
  if (deflated < files.length * 0.8) fail(`only ${deflated} of ${files.length} files deflated`);
}
const show = (xs: number[]) =>
  `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
console.log(
  `bench/package/deflate: ${COUNT} files, ${(inputBytes / 1e6).toFixed(1)} MB, ${RUNS} alternating runs, Node.js ${process.version}, zlib ${process.versions.zlib}`,
);
console.log(`deflateRawSync per file: ${show(times.perFile)} CPU`);
console.log(`reused stream:           ${show(times.reused)} CPU, every file byte-equal`);
console.log(`reused / per file: ${(median(times.reused) / median(times.perFile)).toFixed(2)}x`);
