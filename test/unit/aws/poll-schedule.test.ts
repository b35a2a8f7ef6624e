import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_TIMING } from '../../../src/aws/lambda.js';
import { nextPoll } from '../../../src/aws/poll-schedule.js';

/** The times reads are due when each read takes `rtt` ms, starting after a write. */
function dueTimes(rtt: number, count: number): number[] {
  let poll = { due: DEFAULT_TIMING.firstPollMs, gap: DEFAULT_TIMING.pollMs };
  const out = [poll.due];
  while (out.length < count) {
    poll = nextPoll(DEFAULT_TIMING, poll, poll.due + rtt);
    out.push(poll.due);
  }
  return out;
}

test("reads fall on a fixed rate: a read's round trip does not push the next one later", () => {
  // The third read after a write is due at exactly 1 s, however long each read took.
  assert.equal(dueTimes(0, 4), [500, 750, 1000, 1250]);
  assert.equal(dueTimes(40, 4), [500, 750, 1000, 1250]);
});

test('after steadyMs the gap doubles up to maxPollMs', () => {
  const due = dueTimes(5, 18);
  const gaps = due.slice(1).map((d, i) => d - due[i]!);
  assert.ok(
    gaps.slice(0, 10).every((g) => g === 250),
    gaps.join(','),
  );
  assert.equal(gaps.slice(10, 16), [500, 1000, 2000, 4000, 5000, 5000]);
});

test('a read slower than the gap is followed a whole gap after it ends, never at once', () => {
  const next = nextPoll(DEFAULT_TIMING, { due: 500, gap: 250 }, 1900);
  assert.equal(next, { due: 2150, gap: 250 });
});

test.run();
