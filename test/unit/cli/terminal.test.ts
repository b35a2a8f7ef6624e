import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitColumns } from '../../../src/cli/progress/live.js';
import { Screen } from '../../../src/cli/progress/screen.js';
import { colorFor, unicodeLocale } from '../../../src/cli/terminal.js';

test('colour: NO_COLOR (not empty) never; else FORCE_COLOR (not empty, not 0/false) always; else a terminal not TERM=dumb', () => {
  const cases: [Record<string, string>, boolean, boolean][] = [
    [{}, true, true],
    [{}, false, false],
    [{ TERM: 'dumb' }, true, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: '' }, true, true],
    [{ NO_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: 'yes' }, false, true],
    [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: '' }, false, false],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', TERM: 'dumb' }, false, true],
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, true, false],
  ];
  for (const [env, tty, expected] of cases)
    assert.is(colorFor(env, tty), expected, `${JSON.stringify(env)} tty=${tty}`);
});

test('locale: the first of LC_ALL, LC_CTYPE, LANG that is set decides; none is C (ASCII)', () => {
  const cases: [Record<string, string>, boolean][] = [
    [{}, false],
    [{ LANG: 'C' }, false],
    [{ LANG: 'C.UTF-8' }, true],
    [{ LANG: 'en_US.utf8' }, true],
    [{ LANG: 'de_DE.ISO-8859-1' }, false],
    [{ LC_ALL: 'C', LANG: 'en_US.UTF-8' }, false],
    [{ LC_ALL: '', LC_CTYPE: 'en_US.UTF-8', LANG: 'C' }, true],
    [{ LC_CTYPE: 'POSIX', LANG: 'en_US.UTF-8' }, false],
  ];
  for (const [env, expected] of cases) assert.is(unicodeLocale(env), expected, JSON.stringify(env));
});

test('fitColumns: never more columns than given, a wide character counted as two', () => {
  assert.is(fitColumns('abcdef', 10, '…'), 'abcdef');
  assert.is(fitColumns('abcdefghijkl', 10, '…'), 'abcdefghi…');
  assert.is(fitColumns('abcdefghijkl', 10, '...'), 'abcdefg...');
  assert.is(fitColumns('日本語の関数名です', 10, '…'), '日本語の…');
});

test('Screen: lines printed between frames stay; the block is erased as drawn, whatever log-update thinks', () => {
  const out: string[] = [];
  const screen = new Screen((s) => out.push(s), 80, 24);
  const stream = screen.listrStream(10);
  screen.setHeader('deploying 2 functions in qa');
  stream.write('\x1b[?25l');
  stream.write('⠋ alpha\n  › push: uploading code\n');
  screen.print('✔ beta: PUBLISHED version 2');
  // log-update erases the 2 lines it drew; the screen erases the 3 it shows (header included).
  stream.write('\x1b[2K\x1b[1A\x1b[2K\x1b[1A\x1b[2K\x1b[G⠙ alpha\n  › release: PublishVersion\n');
  screen.close();
  assert.equal(out, [
    'deploying 2 functions in qa\n',
    '\x1b[?25l',
    '\r\x1b[1A\x1b[0Jdeploying 2 functions in qa\n⠋ alpha\n  › push: uploading code\n',
    '\r\x1b[3A\x1b[0J✔ beta: PUBLISHED version 2\n',
    'deploying 2 functions in qa\n⠋ alpha\n  › push: uploading code\n',
    '\r\x1b[3A\x1b[0Jdeploying 2 functions in qa\n⠙ alpha\n  › release: PublishVersion\n',
    '\r\x1b[3A\x1b[0J',
  ]);
  screen.print('after');
  assert.is(out.at(-1), 'after\n');
});

test('Screen: suspended for a question, the block is off the screen and comes back after', () => {
  const out: string[] = [];
  const screen = new Screen((s) => out.push(s), 80, 24);
  screen.setHeader('deploying');
  screen.suspend();
  screen.setHeader('deploying 3');
  screen.resume();
  assert.equal(out, ['deploying\n', '\r\x1b[1A\x1b[0J', 'deploying 3\n']);
});

test.run();
