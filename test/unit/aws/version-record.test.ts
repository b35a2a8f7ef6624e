import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatVersionRecord, parseVersionRecord } from '../../../src/aws/version-record.js';

const FP = '0123456789abcdef0123';

test('a record reads back whole; optional fields only when set', () => {
  assert.is(formatVersionRecord({ sourceVersion: 'abc123', fingerprint: FP }), `abc123 (lci code ${FP})`);
  const full = {
    sourceVersion: 'abc123-dirty-00ff00ff00ff',
    fingerprint: FP,
    depsKey: 'f'.repeat(32),
    layers: 'a'.repeat(16),
    previous: '41',
  };
  assert.equal(parseVersionRecord(formatVersionRecord(full)), full);
});

test('descriptions lci did not write give what they can: the first word as source version', () => {
  assert.equal(parseVersionRecord('v1.2 released by hand'), { sourceVersion: 'v1.2' });
  assert.equal(parseVersionRecord(undefined), {});
  assert.equal(parseVersionRecord(''), {});
});

test("the longest source version still fits Lambda's 256 characters with every field", () => {
  const d = formatVersionRecord({
    sourceVersion: 'v'.repeat(128),
    fingerprint: FP,
    depsKey: 'f'.repeat(32),
    layers: 'a'.repeat(16),
    previous: '123456',
  });
  assert.ok(d.length <= 256, String(d.length));
  assert.is(parseVersionRecord(d).previous, '123456');
  assert.is(parseVersionRecord(d).layers, 'a'.repeat(16));
});

test.run();
