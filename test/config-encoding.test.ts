import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

// A config file that is not UTF-8 is named as such, located, and nothing is guessed: invalid bytes
// were silently replaced, and a UTF-16 file read as "empty or not a map".

const CONFIG =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: svc }\n';

function validate(bytes: Buffer) {
  const repo = GitRepo.create({ 'svc/app.py': '' });
  writeFileSync(join(repo.dir, 'lambdas.yaml'), bytes);
  return lci(['validate'], { cwd: repo.dir });
}

function oneProblem(r: { code: number; stderr: string }, pattern: RegExp): void {
  assert.is(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 2, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.is(lines[1], '1 problem in the configuration');
}

test('invalid UTF-8 is named with its byte offset, line and column (columns count characters)', () => {
  const before = Buffer.from(CONFIG.slice(0, CONFIG.indexOf('qa:')).concat('qa: { branch: "mäin-ÿ'));
  const after = Buffer.from(`" }\n${CONFIG.slice(CONFIG.indexOf('functions:'))}`);
  // `  qa: { branch: "mäin-ÿ` is 23 characters (25 bytes): the overlong 0xC0 0xAF is column 24.
  oneProblem(
    validate(Buffer.concat([before, Buffer.from([0xc0, 0xaf]), after])),
    new RegExp(
      `^lambdas\\.yaml:4:24: invalid UTF-8 at byte offset ${before.length} \\(0xC0\\); lci reads config files as UTF-8: fix the character there, or save the file as UTF-8$`,
    ),
  );
});

test('UTF-16 and UTF-32, with a byte-order mark or without, are named', () => {
  const utf16le = Buffer.from(CONFIG, 'utf16le');
  const utf16be = Buffer.from(utf16le).swap16();
  const utf32le = Buffer.alloc(CONFIG.length * 4);
  for (let i = 0; i < CONFIG.length; i++) utf32le.writeUInt32LE(CONFIG.charCodeAt(i), i * 4);
  const cases: [Buffer, string][] = [
    [Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]), 'UTF-16LE \\(byte-order mark 0xFF 0xFE\\)'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]), 'UTF-16BE \\(byte-order mark 0xFE 0xFF\\)'],
    [Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32le]), 'UTF-32LE \\(byte-order mark 0xFF 0xFE 0x00 0x00\\)'],
    [utf16le, 'UTF-16LE \\(NUL bytes in its first character\\)'],
    [utf16be, 'UTF-16BE \\(NUL bytes in its first character\\)'],
    [Buffer.from(utf32le).swap32(), 'UTF-32BE \\(NUL bytes in its first character\\)'],
  ];
  for (const [bytes, what] of cases)
    oneProblem(
      validate(bytes),
      new RegExp(`^lambdas\\.yaml:1:1: the file is ${what}; lci reads config files as UTF-8`),
    );
});

test('UTF-8, with or without a byte-order mark, still reads', () => {
  assert.is(validate(Buffer.from(CONFIG)).code, 0);
  const bom = validate(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CONFIG)]));
  assert.is(bom.code, 0, bom.stderr);
});

test.run();
