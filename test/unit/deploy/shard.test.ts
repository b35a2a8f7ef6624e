import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseShard, shardOf } from '../../../src/deploy/shard.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `fn-${String(i).padStart(4, '0')}`);

test('N shards hold every function exactly once, sizes differ by at most one', () => {
  for (const [n, count] of [
    [0, 3],
    [1, 4],
    [10, 3],
    [1000, 7],
    [1001, 10],
  ] as const) {
    const all = names(n);
    const shards = Array.from({ length: count }, (_, i) => shardOf(all, { index: i + 1, count }));
    assert.equal(shards.flat().sort(), all, `${n} over ${count}`);
    const sizes = shards.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${n} over ${count}: ${sizes}`);
  }
});

test('deterministic: the same split whatever order the names come in, duplicates counted once', () => {
  const all = names(25);
  const shuffled = [...all].reverse().concat(all.slice(0, 5));
  for (let i = 1; i <= 4; i++)
    assert.equal(shardOf(shuffled, { index: i, count: 4 }), shardOf(all, { index: i, count: 4 }));
  assert.equal(shardOf(['c', 'a', 'b'], { index: 1, count: 2 }), ['a', 'c']);
});

test('--shard i/N: 1 ≤ i ≤ N, anything else is bad input naming the form', () => {
  assert.equal(parseShard('2/4'), { index: 2, count: 4 });
  assert.equal(parseShard('1/1'), { index: 1, count: 1 });
  for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/4/2', '-1/4', '1/101', ' /4'])
    assert.throws(() => parseShard(bad), /--shard .*: give i\/N/, bad);
});

test.run();
