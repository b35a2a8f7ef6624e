import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRate } from '../../../src/cli/aws-flags.js';
import { parseConcurrency } from '../../../src/cli/concurrency.js';
import { decimal, parseWhole } from '../../../src/cli/numbers.js';
import { UsageError } from '../../../src/errors.js';

const refused = (fn: () => unknown, message: RegExp, what: string) =>
  assert.throws(fn, (e: unknown) => e instanceof UsageError && message.test((e as Error).message), what);

test('decimal digits only: no hex, exponent, sign, spaces, Infinity or empty', () => {
  assert.equal(
    ['7', '007', '7.5', '0.1'].map((t) => decimal(t)),
    [7, 7, 7.5, 0.1],
  );
  for (const bad of ['0x10', '1e2', '-1', '+1', ' 1', '1 ', 'Infinity', '', '.5', '5.', '1_000', '١٢'])
    assert.is(decimal(bad), null, bad);
  assert.is(decimal('7.5', false), null, 'a whole number has no fraction');
});

test('a whole number outside its range, or not written in decimal, names the flag and the range', () => {
  assert.is(parseWhole('--shards', '16', 1, 100), 16);
  for (const bad of ['0x10', '1e2', '0', '101', '16.0'])
    refused(
      () => parseWhole('--shards', bad, 1, 100),
      /^--shards .*: give a whole number from 1 to 100, in decimal digits$/,
      bad,
    );
  assert.is(parseConcurrency('256'), 256);
  for (const bad of ['1e9', '257', '0'])
    refused(() => parseConcurrency(bad), /^--concurrency .*: give a whole number from 1 to 256/, bad);
});

test('--rate R[,G]: decimals from 0.1 to 100000 each', () => {
  assert.equal(parseRate('--rate', '7.5'), { controlPlane: 7.5 });
  assert.equal(parseRate('--rate', '8, 20'), { controlPlane: 8, getFunction: 20 });
  assert.equal(parseRate('--rate', '100000,100000'), { controlPlane: 100_000, getFunction: 100_000 });
  for (const bad of ['0.0000001', '0.09', '0', '-1', 'fast', '1,2,3', '1,', 'Infinity', '1e2', '100001', '5,0.01'])
    refused(
      () => parseRate('LCI_LAMBDA_RATE', bad),
      /^LCI_LAMBDA_RATE .*: give the requests per second .* each from 0\.1 to 100000 in decimal digits/,
      bad,
    );
});

test.run();
