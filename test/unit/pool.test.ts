import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runPool, Slots } from '../../src/pool.js';

test('results in input order, at most N at once', async () => {
  let running = 0;
  let most = 0;
  const out = await runPool([30, 10, 20, 5, 15], 2, async (ms) => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    return ms * 2;
  });
  assert.equal(out, [60, 20, 40, 10, 30]);
  assert.is(most, 2);
});

test('stopWhen: items not yet started get notStarted', async () => {
  const out = await runPool([1, 2, 3, 4], 1, async (n): Promise<string> => (n === 2 ? 'fail' : 'ok'), {
    stopWhen: (r) => r === 'fail',
    notStarted: (n) => `skipped ${n}`,
  });
  assert.equal(out, ['ok', 'fail', 'skipped 3', 'skipped 4']);
});

test('Slots: at most N runs at once, the others in the order they asked, a failure frees its slot', async () => {
  const slots = new Slots(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const results = await Promise.allSettled(
    [1, 2, 3, 4, 5].map((n) =>
      slots.run(async () => {
        most = Math.max(most, ++running);
        order.push(n);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (n === 2) throw new Error('two');
        return n;
      }),
    ),
  );
  assert.is(most, 2);
  assert.equal(order, [1, 2, 3, 4, 5]);
  assert.equal(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
  );
});

test.run();
