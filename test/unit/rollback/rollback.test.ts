import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rollbackTarget, type Records } from '../../../src/rollback/rollback.js';
import type { VersionRecord } from '../../../src/aws/version-record.js';

const alias = (version: string, weights: Record<string, number> = {}) => ({
  name: 'qa',
  arn: 'arn:aws:lambda:eu-west-1:123456789012:function:fn:qa',
  version,
  revisionId: 'r',
  weights,
});
const FP = '0123456789abcdef0123';
const rec = (previous?: string): Partial<VersionRecord> => ({
  sourceVersion: 'abc',
  fingerprint: FP,
  ...(previous ? { previous } : {}),
});
const records = (entries: [string, Partial<VersionRecord> | null][]): Records => new Map(entries);

test('the version the served one records as served before it, not the highest below', () => {
  // 6 was published by a deploy an alarm rejected: 7 records that 5 was served before it.
  assert.equal(rollbackTarget(alias('7'), records([])), { read: '7' });
  assert.equal(rollbackTarget(alias('7'), records([['7', rec('5')]])), { read: '5' });
  assert.equal(
    rollbackTarget(
      alias('7'),
      records([
        ['7', rec('5')],
        ['5', rec('4')],
      ]),
    ),
    { to: '5', reason: 'recorded' },
  );
});

test('rolling back again goes one step further: the record of the version now served', () => {
  assert.equal(
    rollbackTarget(
      alias('5'),
      records([
        ['5', rec('4')],
        ['4', rec()],
      ]),
    ),
    { to: '4', reason: 'recorded' },
  );
});

test('during a shift: stop it, back on the version it shifts from', () => {
  assert.equal(rollbackTarget(alias('4', { '5': 0.1 }), records([])), { to: '4', reason: 'shift' });
});

test('no record (by hand, an older lci), a record of itself, or a previous version deleted: say how to pass --to', () => {
  for (const r of [rec(), null as unknown as Partial<VersionRecord>, rec('3')]) {
    const d = rollbackTarget(alias('3'), records([['3', r ?? {}]]));
    assert.ok('problem' in d, JSON.stringify(d));
    assert.match(
      (d as { problem: string }).problem,
      /version 3 does not record the version served before it .*: pass --to VERSION/,
    );
  }
  const gone = rollbackTarget(
    alias('3'),
    records([
      ['3', rec('2')],
      ['2', null],
    ]),
  );
  assert.match(
    (gone as { problem: string }).problem,
    /version 2, served before 3, no longer exists: pass --to VERSION/,
  );
});

test('--to: read first; a version that does not exist or is already served is a problem', () => {
  assert.equal(rollbackTarget(alias('3'), records([]), '1'), { read: '1' });
  assert.equal(rollbackTarget(alias('3'), records([['1', rec()]]), '1'), { to: '1', reason: 'given' });
  assert.equal(rollbackTarget(alias('3'), records([['9', null]]), '9'), { problem: 'version 9 does not exist' });
  assert.equal(rollbackTarget(alias('3'), records([]), '3'), {
    problem: 'alias qa already serves version 3: nothing to move',
  });
  // While shifting, --to the version it shifts from stops the shift.
  assert.equal(rollbackTarget(alias('3', { '4': 0.5 }), records([['3', rec()]]), '3'), { to: '3', reason: 'given' });
});

test.run();
