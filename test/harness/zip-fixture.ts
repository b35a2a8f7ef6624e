import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { wordText } from './word-text.js';

/**
 * A tree that takes every path of the zip writer, the same bytes on every run: text to deflate,
 * empty files, an executable, already-compressed and incompressible files (stored), non-ASCII
 * names, names whose order differs between a path sort and a directory walk (a-b/ before a/),
 * 3,000 small files (batches on the workers), and files over the 8 MB streaming threshold.
 */
export function writeZipFixture(dir: string): void {
  const { rand, text } = wordText(1);
  const noise = (size: number, salt: string) => {
    const chunks: Buffer[] = [];
    let block = createHash('sha512').update(salt).digest();
    for (let n = 0; n < size; n += 64) chunks.push((block = createHash('sha512').update(block).digest()));
    return Buffer.concat(chunks).subarray(0, size);
  };
  const put = (name: string, data: string | Buffer) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), data);
  };
  put('app.py', 'def handler(event, context):\n    return {"ok": True}\n'.repeat(40));
  put('empty.txt', '');
  put('bin/run.sh', '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'bin/run.sh'), 0o755);
  put('img/logo.png', noise(5_000, 'png'));
  put('data/random.bin', noise(70_000, 'bin'));
  put('ünïcode/名前.txt', 'text\n');
  put('a-b/x.txt', 'dash\n');
  put('a/b.txt', 'slash\n');
  for (let i = 0; i < 3_000; i++) put(`many/f${String(i).padStart(4, '0')}.txt`, text(Math.floor(rand() * 2_000)));
  put('big/large.log', text(9 * 1024 * 1024));
  put('big/huge.gz', noise(9 * 1024 * 1024, 'gz'));
}
