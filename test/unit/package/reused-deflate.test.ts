import * as zlib from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { reusingDeflater } from '../../../src/package/reused-deflate.js';
import { windowBitsFor } from '../../../src/package/zip.js';

/** Files as a package holds them: mostly a few kB of text, some tiny, some past the 32 kB window, in an order where short ones follow long ones. */
function corpus(count: number): Buffer[] {
  // Not test/harness/word-text.ts: its text (words only) deflates alike with and without the
  // window cleared; with numbers between the words, leaving it dirty fails this test.
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const words = 'const let function return import export from if else for while class new this await async'.split(' ');
  const files: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const size =
      i % 50 === 0
        ? 40_000 + Math.floor(rand() * 60_000)
        : i % 7 === 0
          ? 1 + Math.floor(rand() * 300)
          : 2_000 + Math.floor(rand() * 7_000);
    let text = '';
    while (text.length < size) text += words[Math.floor(rand() * words.length)] + (rand() < 0.1 ? '\n' : ` ${i % 97} `);
    files.push(Buffer.from(text.slice(0, size)));
  }
  files.push(Buffer.alloc(5_000), Buffer.from([0xff]), Buffer.from(zlib.deflateRawSync(files[3]!))); // zeros, one byte, incompressible
  return files;
}

test("a reused zlib stream gives deflateRawSync's bytes for every file, whatever came before it", () => {
  const deflate = reusingDeflater(zlib);
  assert.is(deflate.name, 'reused', 'this Node.js keeps its zlib streams (else every file would pay for a new one)');
  let deflated = 0;
  for (const [k, raw] of corpus(4_000).entries()) {
    const bits = windowBitsFor(raw.length);
    const expected = zlib.deflateRawSync(raw, { level: 6, windowBits: bits });
    const out = Buffer.alloc(raw.length);
    const n = deflate(raw, bits, 6, out, 0);
    if (expected.length >= raw.length) {
      assert.is(n, -1, `file ${k}: not smaller deflated, so stored`);
      continue;
    }
    assert.ok(
      out.subarray(0, n).equals(expected),
      `file ${k} (${raw.length} bytes) deflates to deflateRawSync's bytes`,
    );
    deflated++;
  }
  assert.ok(deflated > 3_900, `${deflated} files deflated`);
});

test('the output lands at the offset asked for, and nothing before it changes', () => {
  const deflate = reusingDeflater(zlib);
  const raw = Buffer.from('hello hello hello hello\n'.repeat(50));
  const out = Buffer.alloc(10 + raw.length, 0xaa);
  const n = deflate(raw, windowBitsFor(raw.length), 6, out, 10);
  assert.ok(out.subarray(0, 10).equals(Buffer.alloc(10, 0xaa)));
  assert.ok(
    out.subarray(10, 10 + n).equals(zlib.deflateRawSync(raw, { level: 6, windowBits: windowBitsFor(raw.length) })),
  );
});

test.run();
