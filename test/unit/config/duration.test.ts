import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration } from '../../../src/cli/duration.js';
import { DURATION_RANGES, durationMs, durationProblem } from '../../../src/config/duration.js';
import { UsageError } from '../../../src/errors.js';

// One concept, one parser: every duration lci reads (--logs, --since, --older-than, --max-age,
// build.timeout, prune.olderThan) has one grammar; only the range differs by use.

test('one grammar: a number, whole or decimal, and s, m, h or d', () => {
  assert.is(durationMs('90s'), 90_000);
  assert.is(durationMs('1.5m'), 90_000);
  assert.is(durationMs('90m'), 5_400_000);
  assert.is(durationMs('1d'), 86_400_000);
  for (const bad of ['', '10', 'm', '1.5', '1e2m', '0x10s', '-1s', ' 1s', '1 s', '1.m', '.5m', '30 days', '1w'])
    assert.is(durationMs(bad), null, bad);
});

test('the forms three grammars refused before are durations now: --logs 1.5m, --older-than 90m, build.timeout 1d', () => {
  assert.is(parseDuration('--logs', '1.5m'), 90_000);
  assert.is(parseDuration('--older-than', '90m'), 5_400_000);
  assert.is(durationProblem('1d', DURATION_RANGES.buildTimeout), null);
});

test('ranges by use: build.timeout at most 36h, flags at most 366d, never 0', () => {
  assert.match(durationProblem('37h', DURATION_RANGES.buildTimeout)!, /longer than 36h/);
  assert.match(durationProblem('1.6d', DURATION_RANGES.buildTimeout)!, /longer than 36h/);
  assert.is(durationProblem('36h', DURATION_RANGES.buildTimeout), null);
  assert.match(durationProblem('0s', DURATION_RANGES.year)!, /more than 0/);
  assert.throws(
    () => parseDuration('--max-age', '367d'),
    (e: unknown) => e instanceof UsageError && /366d/.test(String(e)),
  );
  assert.throws(
    () => parseDuration('--logs', '2 minutes'),
    (e: unknown) => e instanceof UsageError && /90s, 1\.5m/.test(String(e)),
  );
});

test.run();
