import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { missingRevisionHint } from '../../../src/plan/revisions.js';

test('the hint: steps back counted, a fetch only for what git can fetch', () => {
  assert.match(missingRevisionHint('main~3^', true), /fetch 4 more commits \(git fetch --deepen=4\)/);
  assert.match(missingRevisionHint('HEAD^^', true), /\(git fetch --deepen=2\)/);
  assert.is(
    missingRevisionHint('release', true),
    'this clone is shallow (git clone --depth): fetch it (git fetch origin release), or the whole history (git fetch --unshallow)',
  );
  assert.is(missingRevisionHint('mian', false), 'check the spelling, or fetch it (git fetch origin mian)');
  assert.is(missingRevisionHint('HEAD~1', false), 'check the spelling');
  assert.is(missingRevisionHint('-x', false), 'check the spelling');
});

test.run();
