import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PackageError } from '../src/errors.js';
import { collectFiles } from '../src/inputs/files.js';
import { contentFingerprint, Fingerprint } from '../src/package/fingerprint.js';
import { windowBitsFor, writeZip, type ZipEntry } from '../src/package/zip.js';
import { listZip, unsafeZip } from '../src/package/zip-check.js';
import { writeHostileZip } from './harness/hostile-zip.js';
import { extractZip } from '../src/package/zip-extract.js';
import { deflateRawSync } from 'node:zlib';
import { writeTree } from './harness/files.js';
import { wordText } from './harness/word-text.js';
import { writeZipFixture } from './harness/zip-fixture.js';
import { tempDir } from './harness/tmp.js';

const FILES: Record<string, string> = {
  'app.py': 'def handler(event, context):\n    return {"ok": True}\n'.repeat(20),
  'pkg/__init__.py': '',
  'pkg/util.py': 'X = 1\n',
  'pkg/data/ünïcode.txt': 'text\n',
  'run.sh': '#!/bin/sh\necho hi\n',
  'z-last.json': '{}\n',
};

async function zipDir(dir: string): Promise<Buffer> {
  const out = join(tempDir(), 'out.zip');
  await writeZip(await collectFiles({ root: dir, boundary: dir, label: 'fn' }), out);
  return readFileSync(out);
}

/** The same files, written in the given order, with the given umask-like mode and mtime. */
function makeTree(order: string[], mode: number, mtime: number): string {
  const dir = tempDir();
  for (const name of order) {
    writeTree(dir, { [name]: FILES[name]! });
    chmodSync(join(dir, name), name === 'run.sh' ? mode | 0o111 : mode);
    utimesSync(join(dir, name), mtime, mtime);
  }
  return dir;
}

test('same files give the same bytes, whatever the order, times and permission bits', async () => {
  const names = Object.keys(FILES);
  const a = await zipDir(makeTree(names, 0o644, 1_000_000));
  const b = await zipDir(makeTree([...names].reverse(), 0o600, 1_700_000_000));
  assert.ok(a.equals(b), 'byte-identical archives');
  const dir = makeTree(names, 0o664, 1);
  const before = await zipDir(dir);
  for (const n of names) utimesSync(join(dir, n), 2_000_000_000, 2_000_000_000);
  assert.ok(before.equals(await zipDir(dir)), 'touching every file changes nothing');
  writeFileSync(join(dir, 'pkg/util.py'), 'X = 2\n');
  assert.not.ok(before.equals(await zipDir(dir)), 'a content change changes the bytes');
});

test('entries: sorted, 1980-01-01, 0644 or 0755, no extra fields; readable by Info-ZIP and Python', async () => {
  const dir = makeTree(Object.keys(FILES), 0o640, 5);
  const out = join(tempDir(), 'a.zip');
  await writeZip(await collectFiles({ root: dir, boundary: dir, label: 'fn' }), out);
  execFileSync('unzip', ['-tq', out]);
  const listing = execFileSync('python3', [
    '-c',
    'import sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist(): print(i.filename, oct(i.external_attr>>16), i.date_time[:3], len(i.extra))',
    out,
  ]).toString();
  assert.is(
    listing,
    [
      'app.py 0o100644 (1980, 1, 1) 0',
      'pkg/__init__.py 0o100644 (1980, 1, 1) 0',
      'pkg/data/ünïcode.txt 0o100644 (1980, 1, 1) 0',
      'pkg/util.py 0o100644 (1980, 1, 1) 0',
      'run.sh 0o100755 (1980, 1, 1) 0',
      'z-last.json 0o100644 (1980, 1, 1) 0',
      '',
    ].join('\n'),
  );
});

test('sha256 is the base64 SHA-256 of the archive, as Lambda reports CodeSha256', async () => {
  const out = join(tempDir(), 'a.zip');
  const r = await writeZip(
    [{ name: 'a.txt', source: { data: Buffer.from('hello') }, size: 5, executable: false }],
    out,
  );
  assert.is(r.sha256, createHash('sha256').update(readFileSync(out)).digest('base64'));
  assert.is(r.bytes, readFileSync(out).length);
});

test('large files are streamed, compressed files stored, and the result is still deterministic', async () => {
  const dir = tempDir();
  const big = Buffer.alloc(12 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.write(`line ${i}\n`, i);
  writeFileSync(join(dir, 'big.txt'), big);
  writeFileSync(join(dir, 'img.png'), createHash('sha512').update('x').digest());
  const a = await zipDir(dir);
  const b = await zipDir(dir);
  assert.ok(a.equals(b));
  assert.ok(a.length < big.length / 10, 'the big text file is deflated');
  const out = join(tempDir(), 'c.zip');
  writeFileSync(out, a);
  const methods = execFileSync('python3', [
    '-c',
    'import sys,zipfile\nprint([(i.filename,i.compress_type) for i in zipfile.ZipFile(sys.argv[1]).infolist()])',
    out,
  ])
    .toString()
    .trim();
  assert.is(methods, "[('big.txt', 8), ('img.png', 0)]");
  assert.ok(
    execFileSync('unzip', ['-p', out, 'big.txt'], { maxBuffer: 64 << 20 }).equals(big),
    'the streamed entry unzips to the original',
  );
});

test('more than 65,535 entries use Zip64 end records', async () => {
  const entries: ZipEntry[] = [];
  for (let i = 0; i < 70_000; i++)
    entries.push({
      name: `f/${String(i).padStart(5, '0')}`,
      source: { data: Buffer.alloc(0) },
      size: 0,
      executable: false,
    });
  const out = join(tempDir(), 'many.zip');
  const r = await writeZip(entries, out);
  assert.is(r.entries, 70_000);
  assert.is(
    execFileSync('python3', ['-c', 'import sys,zipfile\nprint(len(zipfile.ZipFile(sys.argv[1]).infolist()))', out])
      .toString()
      .trim(),
    '70000',
  );
});

test('two entries with one name are refused', async () => {
  const e: ZipEntry = { name: 'a', source: { data: Buffer.from('x') }, size: 1, executable: false };
  try {
    await writeZip([e, { ...e }], join(tempDir(), 'dup.zip'));
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match((err as Error).message, /two files would be stored as a/);
  }
});

test('the size-fitted deflate window gives the same bytes as the full 32 kB window', () => {
  const { text } = wordText(7);
  for (let size = 1; size < 70_000; size = Math.ceil(size * 1.15) + 1) {
    const input = Buffer.from(text(size));
    assert.ok(
      deflateRawSync(input, { level: 6 }).equals(deflateRawSync(input, { level: 6, windowBits: windowBitsFor(size) })),
      `size ${size}`,
    );
  }
});

test('unpacking (lci invoke --local): contents and exec bits come back as zipped; a zip-slip entry is refused before anything is written', async () => {
  const dir = makeTree(Object.keys(FILES), 0o644, 1_700_000_000);
  chmodSync(join(dir, 'run.sh'), 0o755);
  const out = join(tempDir(), 'fn.zip');
  await writeZip(await collectFiles({ root: dir, boundary: dir, label: 'fn' }), out);
  const target = join(tempDir(), 'task');
  extractZip(out, target);
  for (const [name, text] of Object.entries(FILES)) assert.is(readFileSync(join(target, name), 'utf8'), text, name);
  assert.is(statSync(join(target, 'run.sh')).mode & 0o777, 0o755);
  assert.is(statSync(join(target, 'app.py')).mode & 0o777, 0o644);

  const evil = join(tempDir(), 'evil.zip');
  const data = Buffer.from('owned');
  await writeHostileZip(
    [
      { name: 'ok.txt', source: { data }, size: 5, executable: false },
      { name: '../../escaped.txt', source: { data }, size: 5, executable: false },
    ],
    evil,
  );
  const landing = join(tempDir(), 'a', 'b');
  assert.throws(
    () => extractZip(evil, landing),
    /cannot be unpacked: entry '\.\.\/\.\.\/escaped\.txt' climbs out with '\.\.'/,
  );
  assert.not.ok(existsSync(join(landing, '../../escaped.txt')));
  assert.not.ok(existsSync(join(landing, 'ok.txt')), 'nothing written');
});

test('the writer refuses every entry name a cached layer is refused for: one rule for both', async () => {
  const data = Buffer.from('x');
  const names = [
    '../../etc/cron.d/evil',
    'python/../../x.py',
    '..\\..\\evil.py',
    '/etc/passwd',
    'C:/Windows/x.dll',
    'a\nb.py',
    'a\rb.py',
    'esc\x1b]0;t\x07.py',
    'nul\0.py',
    'del\x7f.py',
  ];
  for (const name of names) {
    const entry = { name, source: { data }, size: 1, executable: false };
    const hostile = join(tempDir(), 'hostile.zip');
    await writeHostileZip([{ ...entry, name: 'ok.py' }, entry], hostile);
    const refusedInCache = unsafeZip(listZip(hostile));
    assert.ok(refusedInCache, `a cached zip holding ${JSON.stringify(name)} is refused`);
    const problem = refusedInCache!.replace(/^entry '.*' /s, '');
    try {
      await writeZip([entry], join(tempDir(), 'out.zip'));
      assert.unreachable(`writeZip stored ${JSON.stringify(name)}`);
    } catch (e) {
      assert.instance(e, PackageError);
      assert.ok((e as Error).message.endsWith(`, which ${problem}; rename or exclude it`), (e as Error).message);
    }
  }
  for (const fine of ['a/b.py', 'ünï/çödé.py', 'a..b/c.py', '.hidden/x', 'a b/c d.py'])
    await writeZip([{ name: fine, source: { data }, size: 1, executable: false }], join(tempDir(), 'ok.zip'));
});

// Recorded with the writer of main at 143912e (Node 20.20.2 and 22.23.5, zlib 1.3.1-e00f703; Node
// 24.22.3, zlib 1.3.2.1-motley-285e94b: the same bytes), which read each file twice and deflated on
// Node's thread pool. A different CodeSha256 for the same files would make every deployed function
// look changed.
const MAIN_ZIP_SHA256 = 't9SqtJwfUT7eWc0OZ+0lZ1HLssf0bF0zugjRDV5q6I0=';
const MAIN_FINGERPRINT: Record<string, string> = {
  '1.3.1-e00f703': '6356a10599848ad85c4b',
  '1.3.2.1-motley-285e94b': 'bf25b53f2413422e47af',
};

test("the same files give the bytes (CodeSha256) and fingerprint main gave, with the fingerprint from the zip's own read", async () => {
  const dir = tempDir();
  writeZipFixture(dir);
  const data = Buffer.from('in memory\n'.repeat(100));
  const entries: ZipEntry[] = [
    ...(await collectFiles({ root: dir, boundary: dir, label: 'fx' })),
    { name: 'mem/data.txt', source: { data }, size: data.length, executable: false },
  ];
  const out = join(tempDir(), 'fx.zip');
  const fp = new Fingerprint();
  const seen: string[] = [];
  const r = await writeZip(entries, out, 0o666, (e, sha) => {
    seen.push(e.name);
    fp.add(e, sha);
  });
  assert.is(r.sha256, MAIN_ZIP_SHA256);
  assert.is(createHash('sha256').update(readFileSync(out)).digest('base64'), MAIN_ZIP_SHA256);
  assert.equal([r.bytes, r.entries], [10_596_573, 3_011]);
  assert.is(seen.length, entries.length, 'every entry hashed once, streamed ones too');
  assert.is(
    fp.digest(),
    contentFingerprint(entries),
    'the fingerprint from the zip read is the one hashing alone gives',
  );
  const known = MAIN_FINGERPRINT[process.versions.zlib];
  if (known) assert.is(contentFingerprint(entries), known);
  execFileSync('unzip', ['-tq', out]);
});

test('a file that changes size between listing and zipping stops the zip, and no archive is left', async () => {
  const dir = tempDir();
  writeZipFixture(dir);
  const entries = await collectFiles({ root: dir, boundary: dir, label: 'fx' });
  writeFileSync(join(dir, 'many/f1234.txt'), 'grown '.repeat(1000));
  const out = join(tempDir(), 'fx.zip');
  try {
    await writeZip(entries, out);
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match((err as Error).message, /^many\/f1234\.txt changed while it was being packaged; run again$/);
  }
  assert.not.ok(existsSync(out));
  assert.equal(
    readdirSync(dirname(out)).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file either',
  );
});

test.run();
