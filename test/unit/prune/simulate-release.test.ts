import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatVersionRecord, layerDescription } from '../../../src/aws/version-record.js';
import type { LiveAlias, LiveLayerVersion, LiveVersion, PruneInput } from '../../../src/prune/prune-plan.js';
import { prunedAfterRelease, withRelease, type PlannedRelease } from '../../../src/prune/simulate-release.js';

// What a release plan says prune will delete once the release is applied: the alias moves to a
// version not yet published, and the version it served becomes its rollback target.

const NOW = Date.parse('2026-06-01T00:00:00.000Z');
const LAYER = (v: number) => `arn:aws:lambda:eu-west-1:123456789012:layer:fn-deps:${v}`;
const KEY = (n: number) => String(n).repeat(32).slice(0, 32);

const record = (n: number, prev?: number) =>
  formatVersionRecord({
    sourceVersion: `s${n}`,
    fingerprint: 'f'.repeat(20),
    previous: prev ? String(prev) : undefined,
  });

/** Version n, published by lci, served after version n-1. */
function v(n: number, layer?: number): LiveVersion {
  return {
    version: String(n),
    description: record(n, n > 1 ? n - 1 : undefined),
    lastModified: new Date(NOW - (100 - n) * 86_400_000).toISOString(),
    codeSize: 1000,
    layers: layer ? [LAYER(layer)] : [],
  };
}

const alias = (name: string, version: number, weights: Record<string, number> = {}): LiveAlias => ({
  name,
  version: String(version),
  weights,
});

const layerVersion = (n: number): LiveLayerVersion => ({
  layerName: 'fn-deps',
  version: n,
  arn: LAYER(n),
  description: layerDescription(KEY(n), `s${n}`),
});

function live(versions: LiveVersion[], aliases: LiveAlias[], more: Partial<PruneInput> = {}): PruneInput {
  return { versions, aliases, latestLayers: [], layerVersions: [], keep: 2, olderThanMs: null, now: NOW, ...more };
}

/** The plan of a release that moves alias qa from `from` (null: the alias is created). */
function release(from: number | null, more: Partial<PlannedRelease> = {}): PlannedRelease {
  return {
    alias: 'qa',
    description: formatVersionRecord({
      sourceVersion: 'next',
      fingerprint: 'e'.repeat(20),
      previous: from === null ? undefined : String(from),
    }),
    layers: null,
    deps: {
      action: 'none',
      layerName: 'fn-deps',
      key: null,
      version: null,
      artifact: null,
      runtime: 'python3.12',
      architecture: 'x86_64',
    },
    ...more,
  };
}

const FIVE = [v(1), v(2), v(3), v(4), v(5)];

const cases: [string, PruneInput, PlannedRelease, string[]][] = [
  [
    'keep 2: the version served before the release stays as the rollback target, the one before it goes',
    live(FIVE, [alias('qa', 5)]),
    release(5),
    ['1', '2', '3', '4'],
  ],
  [
    'keep 3: two served versions before the release stay',
    live(FIVE, [alias('qa', 5)], { keep: 3 }),
    release(5),
    ['1', '2', '3'],
  ],
  [
    'keep 1: only the released version stays, so the one served before goes too',
    live(FIVE, [alias('qa', 5)], { keep: 1 }),
    release(5),
    ['1', '2', '3', '4', '5'],
  ],
  [
    'another alias keeps what it serves and its own window',
    live(FIVE, [alias('qa', 5), alias('pinned', 2)]),
    release(5),
    ['3', '4'],
  ],
  [
    'no alias yet (created by the release): what lci published before is no longer "unreleased"',
    live([v(1), v(2)], []),
    release(null),
    ['1'],
  ],
  [
    'a shift to resume: the alias moves whole to the version already published, its weight goes',
    live([...FIVE, { ...v(6), description: release(5).description }], [alias('qa', 5, { 6: 0.1 })]),
    release(5),
    ['1', '2', '3', '4'],
  ],
];

for (const [name, now, r, expected] of cases)
  test(`forecast: ${name}`, () => {
    assert.equal(prunedAfterRelease(now, r).versions, expected);
  });

test('forecast: today nothing goes (keep 2 holds 4 and 5); after the release 4 does', () => {
  const now = live(FIVE, [alias('qa', 5)], { keep: 2 });
  assert.equal(prunedAfterRelease(now, release(5)).versions, ['1', '2', '3', '4']);
  // The same input without the release: the window still holds 4.
  const { input: after, released } = withRelease(now, release(5));
  assert.is(released, '6', 'the new version is numbered above every version');
  assert.equal(after.aliases, [alias('qa', 6)]);
  assert.equal(now.aliases, [alias('qa', 5)], 'the input is not changed');
});

test('forecast: a layer version only the deleted versions used goes; an own layer version to publish becomes the newest', () => {
  const versions = [v(1, 1), v(2, 1), v(3, 2)];
  const layers = { layerVersions: [layerVersion(1), layerVersion(2)], latestLayers: [LAYER(2)], keep: 1 };
  const intact = prunedAfterRelease(
    live(versions, [alias('qa', 3)], layers),
    release(3, { layers: [{ arn: LAYER(2) }] }),
  );
  assert.equal(intact.versions, ['1', '2', '3']);
  assert.equal(
    intact.left.layerVersions.map((l) => l.version),
    [1],
    'version 2 stays: the released version runs with it',
  );
  const published = prunedAfterRelease(
    live(versions, [alias('qa', 3)], layers),
    release(3, {
      layers: [{ own: 'fn-deps', arn: null }],
      deps: { ...release(3).deps, action: 'publish', key: KEY(9) },
    }),
  );
  assert.equal(
    published.left.layerVersions.map((l) => l.version),
    [1, 2],
    'version 2 goes: nothing runs with it and the release publishes a newer one',
  );
  assert.equal(published.left.sourceVersions, ['s1', 's2', 's3']);
});

test.run();
