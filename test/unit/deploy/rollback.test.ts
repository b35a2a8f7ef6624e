import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rollbackTarget } from '../../../src/deploy/rollback.js';

const alias = (version: string, weights: Record<string, number> = {}) => ({ name: 'qa', version, revisionId: 'r', weights });

test('without a shift: the highest published version below the served one', () => {
  assert.is(rollbackTarget(alias('7'), ['$LATEST', '1', '3', '6', '7', '8']), '6');
});

test('during a shift: stay on the version still serving most traffic', () => {
  assert.is(rollbackTarget(alias('4', { '5': 0.1 }), ['4', '5']), '4');
});

test('nothing below: null', () => {
  assert.is(rollbackTarget(alias('1'), ['$LATEST', '1', '2']), null);
});

test.run();
