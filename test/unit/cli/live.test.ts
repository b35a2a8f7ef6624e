import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LiveProgress } from '../../../src/cli/progress/live.js';
import { Screen } from '../../../src/cli/progress/screen.js';
import { replay } from '../../harness/terminal.js';

// LiveProgress with the real listr2, writing to a Screen whose bytes a terminal emulator replays.

const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('more functions running than the terminal has rows for: the first shown, the rest counted, promoted as others finish', async () => {
  let raw = '';
  const screen = new Screen((s) => (raw += s), 60, 8); // room for two functions (two rows each) under the header
  const live = new LiveProgress(screen, { color: false, unicode: true });
  live.status('deploying 5 functions in qa');
  const tasks = ['a', 'b', 'c', 'd', 'e'].map((n) => {
    const t = live.start(n);
    t.phase('push');
    t.report(`uploading ${n}`);
    return t;
  });
  await until(() => raw.includes('  › push: uploading b'));
  let shown = await replay(raw, 60, 8);
  assert.equal(shown.slice(-6), [
    'deploying 5 functions in qa',
    shown.at(-5)!, // the spinner turns
    '  › push: uploading a',
    shown.at(-3)!,
    '  › push: uploading b',
    '… and 3 more running',
  ]);
  assert.match(shown.at(-5)!, /^. a$/);
  live.finish('a', 'done', 'PUBLISHED version 2');
  tasks[2]!.report('still uploading c');
  await until(() => raw.includes('  › push: still uploading c'));
  shown = await replay(raw, 60, 8);
  assert.ok(shown.includes('✔ a: PUBLISHED version 2'), shown.join('\n'));
  assert.is(shown.at(-1), '… and 2 more running');
  for (const n of ['b', 'c', 'd', 'e']) live.finish(n, n === 'd' ? 'failed' : 'done', n === 'd' ? 'FAILED' : 'INTACT');
  live.close();
  shown = await replay(raw, 60, 8);
  assert.equal(shown, ['✔ a: PUBLISHED version 2', '✔ b: INTACT', '✔ c: INTACT', '✖ d: FAILED', '✔ e: INTACT']);
});

test.run();
