import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { environmentPipelineName, namePatterns, pipelineName } from '../../../src/generate/render.js';

test('up to ten names: the names, sorted, once each', () => {
  assert.equal(namePatterns(['b-qa', 'a-qa', 'b-qa']), ['a-qa', 'b-qa']);
  assert.equal(namePatterns([]), []);
});

test('more: one pattern, the common prefix and suffix around *; * alone when they share neither', () => {
  const qa = Array.from({ length: 12 }, (_, i) => `shop-svc${i}-qa`);
  assert.equal(namePatterns(qa), ['shop-svc*-qa']);
  assert.equal(namePatterns(qa.map((n) => `${n}-deps`)), ['shop-svc*-qa-deps']);
  assert.equal(namePatterns([...qa, 'orders']), ['*']);
  // prefix and suffix never overlap: "aa" and "aaa" share prefix "aa", the rest "" and "a" share no suffix
  assert.equal(namePatterns(['aa', 'aaa', ...Array.from({ length: 10 }, (_, i) => `aa${i}`)], 10), ['aa*']);
  for (const p of [namePatterns(qa)[0]!])
    for (const n of qa) assert.ok(new RegExp(`^${p.replace('*', '.*')}$`).test(n), n);
});

test('pipeline names: <prefix>-<function>-<env> or <prefix>-<env>, cut to 38 with a hash', () => {
  assert.is(environmentPipelineName('lci', 'qa'), 'lci-qa');
  const long = environmentPipelineName('a'.repeat(20), 'e'.repeat(32));
  assert.is(long.length, 38);
  assert.match(long, /^a{20}-e{10}-[0-9a-f]{6}$/);
  assert.is.not(environmentPipelineName('a'.repeat(20), `${'e'.repeat(31)}f`), long);
  assert.is(pipelineName('lci', 'orders', 'qa'), 'lci-orders-qa');
});

test.run();
