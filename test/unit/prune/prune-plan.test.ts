import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layerDescription } from '../../../src/aws/version-record.js';
import { durationMs } from '../../../src/config/duration.js';
import {
  planLeftovers,
  planVersions,
  type LiveAlias,
  type LiveVersion,
  type PruneInput,
} from '../../../src/prune/prune-plan.js';
import { formatVersionRecord } from '../../../src/aws/version-record.js';

const FP = '0123456789abcdef0123';
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00.000Z');
const LAYER = (v: number) => `arn:aws:lambda:eu-west-1:123456789012:layer:fn-deps:${v}`;
const KEY = (n: number) => String(n).repeat(32).slice(0, 32);

/** Version n, published by lci from source s<n> n days ago (unless said otherwise). */
function v(
  n: number,
  opts: { prev?: number; lci?: boolean; layer?: number; daysAgo?: number; source?: string } = {},
): LiveVersion {
  const description =
    opts.lci === false
      ? 'published by hand'
      : formatVersionRecord({
          sourceVersion: opts.source ?? `s${n}`,
          fingerprint: FP,
          ...(opts.prev ? { previous: String(opts.prev) } : {}),
        });
  return {
    version: String(n),
    description,
    lastModified: new Date(NOW - (opts.daysAgo ?? 100 - n) * DAY).toISOString().replace('Z', '+0000'),
    codeSize: 1000 + n,
    layers: opts.layer ? [LAYER(opts.layer)] : [],
  };
}

const alias = (name: string, version: number, weights: Record<string, number> = {}): LiveAlias => ({
  name,
  version: String(version),
  weights,
});

function input(versions: LiveVersion[], aliases: LiveAlias[], more: Partial<PruneInput> = {}): PruneInput {
  return { versions, aliases, latestLayers: [], layerVersions: [], keep: 2, olderThanMs: null, now: NOW, ...more };
}

const verdicts = (i: PruneInput) =>
  Object.fromEntries(
    planVersions(i).map((x) => [
      x.version,
      x.action === 'DELETE' ? 'DELETE' : `${x.reason}${x.alias ? ` ${x.alias}` : ''}`,
    ]),
  );

test('the rollback window follows the prev chain, not version numbers: a version published but never served goes', () => {
  // 4 was published and never served (a failed smoke test); 5 records that the alias served 3 before it.
  const versions = [v(1), v(2, { prev: 1 }), v(3, { prev: 2 }), v(4, { prev: 3 }), v(5, { prev: 3 })];
  assert.equal(verdicts(input(versions, [alias('qa', 5)], { keep: 3 })), {
    1: 'DELETE',
    2: 'rollback qa',
    3: 'rollback qa',
    4: 'DELETE',
    5: 'alias qa',
  });
});

test('without prev in the records (an older lci): version order through what lci published', () => {
  const versions = [v(1), v(2), v(3, { lci: false }), v(4), v(5)];
  assert.equal(verdicts(input(versions, [alias('qa', 5)], { keep: 3 })), {
    1: 'DELETE',
    2: 'rollback qa',
    3: 'not-lci',
    4: 'rollback qa',
    5: 'alias qa',
  });
});

test('never a version an alias or its routing weights reference, whoever made the alias; every alias has its window', () => {
  const versions = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => v(n, n > 1 ? { prev: n - 1 } : {}));
  const aliases = [alias('qa', 8, { 7: 0.1 }), alias('live', 4), alias('terraform-made', 1)];
  assert.equal(verdicts(input(versions, aliases, { keep: 2 })), {
    1: 'alias terraform-made',
    2: 'DELETE',
    3: 'rollback live',
    4: 'alias live',
    5: 'DELETE',
    6: 'DELETE',
    7: 'routing qa',
    8: 'alias qa',
  });
  // keep 1: only what is served stays, routing included
  const deleted = planVersions(input(versions, aliases, { keep: 1 }))
    .filter((x) => x.action === 'DELETE')
    .map((x) => x.version);
  assert.equal(deleted, ['2', '3', '5', '6']);
  for (const a of aliases)
    for (const r of [a.version, ...Object.keys(a.weights)]) assert.not.ok(deleted.includes(r), r);
});

test('a chain that points at a deleted version goes on in version order; newer than anything served stays (a release in flight)', () => {
  const versions = [v(2), v(5, { prev: 3 }), v(6, { prev: 5 }), v(9, { prev: 6 })];
  assert.equal(verdicts(input(versions, [alias('qa', 6)], { keep: 3 })), {
    2: 'rollback qa',
    5: 'rollback qa',
    6: 'alias qa',
    9: 'unreleased',
  });
  assert.equal(
    verdicts(input(versions, [], { keep: 1 })),
    { 2: 'unreleased', 5: 'unreleased', 6: 'unreleased', 9: 'unreleased' },
    'no alias: nothing goes',
  );
});

test('--older-than keeps younger versions', () => {
  const versions = [
    v(1, { daysAgo: 40 }),
    v(2, { daysAgo: 10, prev: 1 }),
    v(3, { daysAgo: 5, prev: 2 }),
    v(4, { daysAgo: 1, prev: 3 }),
  ];
  assert.equal(verdicts(input(versions, [alias('qa', 4)], { keep: 1, olderThanMs: 30 * DAY })), {
    1: 'DELETE',
    2: 'young',
    3: 'young',
    4: 'alias qa',
  });
});

test('leftovers: layer versions no remaining version uses (never the newest, never $LATEST’s), S3 of source versions nothing remaining was built from', () => {
  const versions = [
    v(1, { layer: 1 }),
    v(2, { layer: 2, prev: 1 }),
    v(3, { layer: 2, prev: 2, source: 's2' }),
    v(4, { layer: 3, prev: 3 }),
  ];
  const layerVersions = [1, 2, 3, 4, 5].map((n) => ({
    layerName: 'fn-deps',
    version: n,
    arn: LAYER(n),
    description: layerDescription(KEY(n === 2 ? 1 : n), 'x'),
  }));
  layerVersions.push({ layerName: 'fn-deps', version: 6, arn: LAYER(6), description: 'published by someone else' });
  const i = input(versions, [alias('qa', 4)], {
    latestLayers: [LAYER(5)],
    layerVersions: layerVersions.slice(0, 5),
    keep: 1,
  });
  const deleted = planVersions(i)
    .filter((x) => x.action === 'DELETE')
    .map((x) => x.version);
  assert.equal(deleted, ['1', '2', '3']);
  const left = planLeftovers(i, deleted);
  assert.equal(
    left.layerVersions.map((l) => l.version),
    [1, 2, 4],
    '3 is used by version 4, 5 is the newest and $LATEST’s',
  );
  assert.equal(left.sourceVersions, ['s1', 's2']);
  assert.equal(left.depsKeys, [KEY(1), KEY(4)]);
  // Lambda refused to delete version 2 (an alias moved to it meanwhile): its layer and its source stay.
  const refused = planLeftovers(i, ['1', '3']);
  assert.equal(
    refused.layerVersions.map((l) => l.version),
    [1, 4],
  );
  assert.equal(refused.sourceVersions, ['s1']);
  assert.equal(refused.depsKeys, [KEY(4)], 'layer 2 keeps key 1 alive');
  assert.equal(
    planLeftovers({ ...i, layerVersions }, deleted).layerVersions.map((l) => l.version),
    [1, 2, 4],
    'not lci’s (6): never, and 5 still runs $LATEST',
  );
});

test('a record naming latest, _lci or a path (anyone with Lambda access can write a Description) deletes no S3 object', () => {
  const versions = ['latest', '_lci', '..', 'ok'].map((source, i) => v(i + 1, { source }));
  const i = input([...versions, v(9)], [alias('qa', 9)], { keep: 1 });
  assert.equal(planLeftovers(i, ['1', '2', '3', '4']).sourceVersions, ['ok']);
});

test('--older-than and prune.olderThan take a duration, as every other duration lci reads (issue 19: one grammar)', () => {
  assert.is(durationMs('30d'), 30 * DAY);
  assert.is(durationMs('12h'), 12 * 3_600_000);
  assert.is(durationMs('1.5d'), 1.5 * DAY);
  for (const bad of ['30', 'd', '1w', '-1d']) assert.is(durationMs(bad), null, bad);
});

test.run();
