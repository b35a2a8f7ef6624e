import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { coalesced, type ReadMany } from '../../../src/vcs/readers.js';

function counting(): { read: ReadMany; calls: string[][] } {
  const calls: string[][] = [];
  const read: ReadMany = async (paths) => {
    calls.push([...paths]);
    return new Map(paths.map((p) => [p, p.startsWith('missing') ? null : `text of ${p}`] as const));
  };
  return { read, calls };
}

test('reads asked for in one turn are one call, each caller gets its own files', async () => {
  const { read, calls } = counting();
  const once = coalesced(read);
  const asked = Array.from({ length: 200 }, (_, i) => `svc/f${i}/requirements.txt`);
  const got = await Promise.all(asked.map((p) => once([p, 'shared/requirements.txt'])));
  assert.is(calls.length, 1);
  assert.is(calls[0]!.length, 201, 'each path once');
  assert.equal(
    [...got[7]!],
    [
      ['svc/f7/requirements.txt', 'text of svc/f7/requirements.txt'],
      ['shared/requirements.txt', 'text of shared/requirements.txt'],
    ],
  );
});

test('a read after the batch went out starts the next one; missing files are null', async () => {
  const { read, calls } = counting();
  const once = coalesced(read);
  assert.equal([...(await once(['a']))], [['a', 'text of a']]);
  assert.equal([...(await once(['missing/b']))], [['missing/b', null]]);
  assert.equal(calls, [['a'], ['missing/b']]);
});

test.run();
