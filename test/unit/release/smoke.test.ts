import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonSubsetMismatch, smokeFailure, smokeProblem } from '../../../src/release/smoke.js';

const out = (payload: unknown, functionError: string | null = null) => ({
  functionError,
  payload: Buffer.from(JSON.stringify(payload)),
});

test('JSON subset: objects by the keys expected, extra keys fine', () => {
  assert.is(jsonSubsetMismatch({ statusCode: 200 }, { statusCode: 200, body: '{}' }), null);
  assert.is(jsonSubsetMismatch({ a: { b: [1, { c: true }] } }, { a: { b: [1, { c: true, d: 0 }], e: 1 } }), null);
  assert.is(jsonSubsetMismatch({}, { anything: 1 }), null);
  assert.is(jsonSubsetMismatch({ statusCode: 200 }, { statusCode: 500 }), '$.statusCode: expected 200, got 500');
  assert.is(jsonSubsetMismatch({ a: { b: 1 } }, { a: {} }), '$.a.b: missing (expected 1)');
  assert.is(jsonSubsetMismatch({ 'x-y': 1 }, { 'x-y': 2 }), '$["x-y"]: expected 1, got 2');
});

test('JSON subset: arrays element by element with the same length; types must agree', () => {
  assert.is(jsonSubsetMismatch([1, 2], [1, 2, 3]), '$: expected 2 element(s), got 3');
  assert.is(jsonSubsetMismatch([{ id: 1 }], [{ id: 2 }]), '$[0].id: expected 1, got 2');
  assert.is(jsonSubsetMismatch({ a: 1 }, [1]), '$: expected an object, got [1]');
  assert.is(jsonSubsetMismatch([1], { 0: 1 }), '$: expected an array, got {"0":1}');
  assert.is(jsonSubsetMismatch({ a: null }, { a: null }), null);
  assert.is(jsonSubsetMismatch({ a: null }, {}), '$.a: missing (expected null)');
  assert.is(jsonSubsetMismatch('1', 1), '$: expected "1", got 1');
  assert.is(jsonSubsetMismatch({ a: 1 }, null), '$: expected an object, got null');
});

test('a hostile key (__proto__, constructor) is just a key: an own property must be there', () => {
  assert.is(jsonSubsetMismatch(JSON.parse('{"__proto__": {"x": 1}}'), {}), '$.__proto__: missing (expected {"x":1})');
  assert.is(jsonSubsetMismatch({ constructor: 1 }, {}), '$.constructor: missing (expected 1)');
  assert.is(jsonSubsetMismatch({ toString: 1 }, { toString: 1 }), null);
});

test('the verdict: a function error fails; without expect nothing else is asked', () => {
  assert.is(smokeProblem(out({ errorMessage: 'boom' }, 'Unhandled'), null), 'function error Unhandled');
  assert.is(smokeProblem(out('anything'), null), null);
  assert.is(smokeProblem({ functionError: null, payload: Buffer.from('not json') }, null), null);
  assert.is(
    smokeProblem({ functionError: null, payload: Buffer.from('not json') }, { value: 1 }),
    'the response is not JSON, so it cannot match expect',
  );
  assert.is(
    smokeProblem(out({ ok: false }), { value: { ok: true } }),
    'the response does not match expect: $.ok: expected true, got false',
  );
  assert.is(smokeProblem(out(null), { value: null }), null, 'expect: null asks for a null response');
});

test('the failure message: what failed, the response, the log tail', () => {
  const text = smokeFailure(
    '1/1 (inline event)',
    '3',
    'function error Unhandled',
    Buffer.from('{"errorMessage":"boom"}'),
    'START\nboom\nEND\n',
    'the alias still points to version 2',
  ).message;
  assert.is(
    text,
    [
      'smoke test 1/1 (inline event) failed on version 3: function error Unhandled; the alias still points to version 2',
      '  response: {"errorMessage":"boom"}',
      '  log tail:',
      '    | START',
      '    | boom',
      '    | END',
    ].join('\n'),
  );
});

test.run();
