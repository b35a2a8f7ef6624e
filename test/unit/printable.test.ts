import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BuildError, formatDiagnostic, printable } from '../../src/errors.js';

test('printable: controls, DEL, C1, line separators and bidi overrides become visible escapes; the rest stays', () => {
  assert.is(printable('a\x1b[2Jb\x07'), 'a\\x1b[2Jb\\x07');
  assert.is(printable('x\ny\rz\tw'), 'x\\ny\\rz\\tw');
  assert.is(printable('\x00\x7f\x9b'), '\\x00\\x7f\\x9b');
  assert.is(printable('a\u2028b\u202ec\u2066'), 'a\\u2028b\\u202ec\\u2066');
  assert.is(printable('naïve — ünïcödé 日本 ..\\..\\evil.py'), 'naïve — ünïcödé 日本 ..\\..\\evil.py');
});

test('a diagnostic is one line, whatever its file name and message hold', () => {
  assert.is(
    formatDiagnostic({ file: 'a\nb.yaml', line: 1, col: 2, message: "name 'x\r\ny'" }),
    "a\\nb.yaml:1:2: name 'x\\r\\ny'",
  );
});

test("an error's detail lines stay lines, each escaped on its own", () => {
  const e = new BuildError('build failed: \x1b]0;t\x07', ['  | log \x1b[31mred', '  | a\nb']);
  assert.equal(e.lines(), ['build failed: \\x1b]0;t\\x07', '  | log \\x1b[31mred', '  | a\\nb']);
  assert.is(e.message, 'build failed: \x1b]0;t\x07\n  | log \x1b[31mred\n  | a\nb');
});

test.run();
