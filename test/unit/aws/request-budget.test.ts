import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Bucket, LAMBDA_QUOTAS, ratesFor, requestClass } from '../../../src/aws/request-budget.js';

test("the classes of Lambda's quotas: GetFunction and GetPolicy alone, Invoke outside, everything else shared", () => {
  assert.is(requestClass('GetFunctionCommand'), 'getFunction');
  assert.is(requestClass('GetPolicy'), 'getPolicy');
  for (const op of [
    'GetFunctionConfiguration',
    'GetAlias',
    'ListLayerVersions',
    'UpdateAlias',
    'PublishVersion',
    'DeleteFunction',
    'GetAccountSettings',
  ])
    assert.is(requestClass(op), 'controlPlane', op);
  assert.is(requestClass('InvokeCommand'), null);
});

test('rates: the quotas by default, 1/N of them for a shard of N, else what was asked for', () => {
  assert.equal(ratesFor(undefined), LAMBDA_QUOTAS);
  assert.equal(ratesFor(undefined, 1 / 4), { getFunction: 25, getPolicy: 3.75, controlPlane: 3.75 });
  assert.equal(
    ratesFor({ controlPlane: 7.5 }),
    { getFunction: 50, getPolicy: 7.5, controlPlane: 7.5 },
    'GetFunction takes the same share',
  );
  assert.equal(
    ratesFor({ controlPlane: 5, getFunction: 80 }, 1 / 4),
    { getFunction: 80, getPolicy: 5, controlPlane: 5 },
    'an explicit rate is this run’s own',
  );
});

// The bucket hands out start times on a virtual clock: these are its arithmetic, not measured time.
test('a bucket lets half a second of requests start at once, then one per interval, in order', () => {
  const b = new Bucket(10, 5);
  const starts = Array.from({ length: 8 }, () => b.reserve(1000));
  assert.equal(starts, [0, 0, 0, 0, 0, 100, 200, 300]);
  assert.is(b.reserve(2000), 0, 'idle for a while: a token again');
});

test('a throttle pauses everyone for Retry-After, halves the rate without a burst after it, and success wins the rate back', () => {
  const b = new Bucket(10, 5);
  b.throttled(0, 1000);
  assert.ok(b.paused(500) && !b.paused(1000));
  assert.equal([b.reserve(0), b.reserve(0), b.reserve(0)], [1000, 1200, 1400], '5/s after the pause, one at a time');
  for (let i = 0; i < 100; i++) b.succeeded();
  const later = 10_000;
  assert.equal(
    [b.reserve(later), b.reserve(later), b.reserve(later), b.reserve(later), b.reserve(later), b.reserve(later)],
    [0, 0, 0, 0, 0, 100],
  );
  for (let i = 0; i < 10; i++) b.throttled(20_000, 0);
  assert.equal(
    Array.from({ length: 6 }, () => b.reserve(30_000)),
    [0, 0, 0, 0, 0, 1000],
    'never slower than a tenth of the rate',
  );
});

test.run();
