import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDuration } from '../../../src/cli/duration.js';
import { UsageError } from '../../../src/errors.js';

test('seconds, minutes, hours, days; fractions', () => {
  assert.equal(
    ['30s', '10m', '2h', '1d', '1.5m'].map((d) => parseDuration('--since', d)),
    [30_000, 600_000, 7_200_000, 86_400_000, 90_000],
  );
});

test('anything else is a usage error naming the flag', () => {
  for (const bad of ['10', 'm', '-1m', '0s', '1w', '10 m', '1e3s', '']) {
    assert.throws(
      () => parseDuration('--logs', bad),
      (e: unknown) =>
        e instanceof UsageError &&
        (e as Error).message ===
          (bad === '0s'
            ? "--logs '0s' is no time at all: give more than 0"
            : `--logs '${bad}' is not a duration: give a number and a unit, s, m, h or d, such as 90s, 1.5m, 12h or 30d`),
      bad,
    );
  }
});

test.run();
