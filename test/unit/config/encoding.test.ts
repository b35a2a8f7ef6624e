import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { firstInvalidUtf8 } from '../../../src/config/encoding.js';

test('the first invalid sequence: overlong, surrogate, above U+10FFFF, truncated, stray continuation', () => {
  const at = (...bytes: number[]) => firstInvalidUtf8(Buffer.from(bytes));
  assert.is(at(0x61, 0xc3, 0xa4, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80), -1);
  assert.is(at(0x61, 0xc0, 0x80), 1);
  assert.is(at(0x61, 0xe0, 0x80, 0x80), 1);
  assert.is(at(0xed, 0xa0, 0x80), 0);
  assert.is(at(0xf4, 0x90, 0x80, 0x80), 0);
  assert.is(at(0x61, 0x62, 0xe2, 0x82), 2);
  assert.is(at(0x61, 0x80), 1);
});

test.run();
