import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commonPattern, cover } from '../../../src/generate/grants.js';
import { environmentPipelineName, pipelineName } from '../../../src/generate/render.js';

test('up to ten names: the names, sorted, once each', () => {
  assert.equal(
    cover(['b-qa', 'a-qa', 'b-qa'], () => true),
    ['a-qa', 'b-qa'],
  );
  assert.equal(
    cover([], () => true),
    [],
  );
});

test('more: one pattern, the common prefix and suffix around *, when it is safe', () => {
  const qa = Array.from({ length: 12 }, (_, i) => `shop-svc${i}-qa`);
  assert.equal(
    cover(qa, () => true),
    ['shop-svc*-qa'],
  );
  assert.equal(commonPattern(qa.map((n) => `${n}-deps`)), 'shop-svc*-qa-deps');
  assert.equal(commonPattern([...qa, 'orders']), '*');
  // prefix and suffix never overlap: "aa" and "aaa" share prefix "aa", the rest "" and "a" share no suffix
  assert.equal(commonPattern(['aa', 'aaa', ...Array.from({ length: 10 }, (_, i) => `aa${i}`)]), 'aa*');
  for (const n of qa) assert.ok(/^shop-svc.*-qa$/.test(n), n);
});

test('an unsafe pattern splits by the next character until every part is safe', () => {
  const names = [...Array.from({ length: 8 }, (_, i) => `qa-a${i}`), 'qb-x', 'qb-y', 'zz-1'];
  const safe = (p: string) => !p.startsWith('*') && !p.startsWith('q*');
  assert.equal(cover(names, safe), ['qa-a*', 'qb-*', 'zz-1']);
  assert.equal(
    cover(names, () => false),
    [...names].sort(),
    'single names are always kept',
  );
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
