import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closest, didYouMean } from '../../../src/config/suggest.js';

test('the closest candidate within a third of the length; two swapped neighbours are one edit', () => {
  assert.is(closest('handlr', ['handler', 'path']), 'handler');
  assert.is(closest('jsno', ['json', 'quiet']), 'json');
  assert.is(closest('stauts', ['status', 'plan']), 'status');
  assert.is(closest('deplyo', ['deploy', 'apply']), 'deploy');
  assert.is(closest('frobnicate', ['deploy', 'plan']), undefined);
  assert.is(closest('ab', ['xy']), undefined);
  assert.is(didYouMean('bse', ['base', 'head']), " (did you mean 'base'?)");
});

test.run();
