import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { functionArnOf, isShiftMarked, shiftMarkerKey } from '../../../src/aws/shift-marker.js';

const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

test('the mark names the alias, within the 128 characters of a tag key', () => {
  assert.is(shiftMarkerKey('qa'), 'lci:shifting:qa');
  const long = 'a'.repeat(128);
  const key = shiftMarkerKey(long);
  assert.ok(key.length <= 128, key);
  assert.ok(TAG_TEXT.test(key));
  assert.is.not(key, shiftMarkerKey(`${'a'.repeat(127)}b`), 'two long aliases get two marks');
  assert.is(shiftMarkerKey('x'.repeat(115)).length, 128);
});

test('only the mark of this alias counts', () => {
  assert.ok(isShiftMarked({ 'lci:shifting:qa': '1:2' }, 'qa'));
  assert.not.ok(isShiftMarked({ 'lci:shifting:prod': '1:2' }, 'qa'));
  assert.not.ok(isShiftMarked({}, 'qa'));
  assert.not.ok(isShiftMarked(undefined, 'qa'));
});

test("a version's or alias's ARN gives the function's", () => {
  const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:orders-qa';
  assert.is(functionArnOf(`${fn}:7`), fn);
  assert.is(functionArnOf(`${fn}:live`), fn);
  assert.is(functionArnOf(fn), fn);
});

test.run();
