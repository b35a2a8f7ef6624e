import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseStrategy, remainingSteps, unfinishedShift } from '../../../src/release/strategy.js';
import { UsageError } from '../../../src/errors.js';

test('all-at-once has no steps', () => {
  assert.equal(parseStrategy('all-at-once'), { name: 'all-at-once', steps: [] });
});

test('canary: one weighted step held for the minutes given (fractions allowed)', () => {
  assert.equal(parseStrategy('canary:10:0.5').steps, [{ weight: 0.1, holdMs: 30_000 }]);
});

test('linear: PCT more every step, never the 100% step (the final move does that)', () => {
  assert.equal(
    parseStrategy('linear:25:1').steps.map((s) => s.weight),
    [0.25, 0.5, 0.75],
  );
  assert.equal(
    parseStrategy('linear:30:2').steps.map((s) => s.weight),
    [0.3, 0.6, 0.9],
  );
});

test('bad strategies are usage errors', () => {
  for (const s of ['canary', 'canary:0:5', 'canary:100:5', 'linear:abc:1', 'blue-green', 'canary:10']) {
    assert.throws(
      () => parseStrategy(s),
      (e: unknown) =>
        e instanceof UsageError && /use all-at-once, canary:PCT:MIN or linear:PCT:MIN/.test((e as Error).message),
      s,
    );
  }
});

test('an alias with an extra weight is an unfinished shift, from its primary version', () => {
  assert.is(unfinishedShift(null), null);
  assert.is(unfinishedShift({ version: '2', weights: {} }), null);
  assert.equal(unfinishedShift({ version: '2', weights: { '3': 0.1 } }), { from: '2', version: '3', weight: 0.1 });
});

test('resuming a shift to the same version goes on from the step it was in; to another version, from the start', () => {
  const linear = parseStrategy('linear:25:1');
  const at50 = { from: '2', version: '3', weight: 0.5 };
  assert.equal(
    remainingSteps(linear, at50, '3').map((s) => s.weight),
    [0.5, 0.75],
  );
  assert.equal(
    remainingSteps(linear, at50, '4').map((s) => s.weight),
    [0.25, 0.5, 0.75],
  );
  assert.equal(remainingSteps(linear, null, '3'), linear.steps);
  // Past every step of this strategy (or all-at-once): nothing but the final move, after the alarms are read.
  assert.equal(remainingSteps(parseStrategy('canary:10:5'), at50, '3'), []);
  assert.equal(remainingSteps(parseStrategy('all-at-once'), at50, '3'), []);
});

test.run();
