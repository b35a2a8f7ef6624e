import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logGroupOf, versionOfStream } from '../../../src/aws/logs.js';

test("the version in Lambda's stream names", () => {
  assert.is(versionOfStream('2026/01/31/[3]0a1b2c3d4e5f60718293a4b5c6d7e8f9'), '3');
  assert.is(versionOfStream('2026/01/31/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9'), '$LATEST');
  assert.is(versionOfStream('2026/01/31/[12]abc'), '12');
});

test('streams Lambda did not name have no version', () => {
  for (const s of [
    'my-stream',
    '2026/01/31/3abc',
    '[3]abc',
    '2026/01/31/[3]',
    '2026/01/31/[3]XYZ',
    'x/2026/01/31/[3]abc',
  ])
    assert.is(versionOfStream(s), null, s);
});

test('the log group', () => {
  assert.is(logGroupOf('orders-qa'), '/aws/lambda/orders-qa');
});

test.run();
