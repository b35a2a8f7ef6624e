import { keyOfLayer, parseVersionRecord, sourceVersionProblem } from '../aws/version-record.js';

/**
 * What `lci prune` deletes of one AWS function, decided from what is live. Pure: no AWS here.
 *
 * A published version is deleted only when lci published it (its Description holds lci's version
 * record), no alias serves it or routes traffic to it, it is outside every alias's rollback window
 * (the last `keep` versions the alias served, its current one included: the `prev` chain the
 * records keep, continued in version order where a record names no previous version or names one
 * that is gone), it is older than `olderThanMs`, and it is older than what the aliases serve (a
 * newer one may be a release in flight; without any alias, nothing is deleted). Then: layer
 * versions lci published that no remaining version uses, except the newest lci published of each
 * layer, and the S3 artifacts of source versions that no remaining version was built from.
 */

export interface LiveVersion {
  version: string;
  description: string;
  /** LastModified as Lambda reports it (2026-11-26T16:00:00.000+0000). */
  lastModified: string;
  codeSize: number;
  /** Layer version ARNs the version runs with. */
  layers: string[];
}

export interface LiveAlias {
  name: string;
  version: string;
  /** Extra version → weight while traffic shifts. */
  weights: Record<string, number>;
}

export interface LiveLayerVersion {
  layerName: string;
  version: number;
  arn: string;
  description: string;
}

export interface PruneInput {
  /** Published versions (not $LATEST). */
  versions: LiveVersion[];
  /** The layers $LATEST runs with: they stay. */
  latestLayers: string[];
  /** Every alias of the function, whoever made it. */
  aliases: LiveAlias[];
  /** The versions of lci's layers of this function. */
  layerVersions: LiveLayerVersion[];
  keep: number;
  olderThanMs: number | null;
  now: number;
}

export type KeepReason = 'alias' | 'routing' | 'rollback' | 'not-lci' | 'young' | 'unreleased';

export interface VersionVerdict {
  version: string;
  action: 'DELETE' | 'KEEP';
  /** Why it stays (absent for DELETE). */
  reason?: KeepReason;
  /** The alias it is kept for (alias, routing, rollback). */
  alias?: string;
  sourceVersion: string | null;
  codeSize: number;
}

export function planVersions(input: PruneInput): VersionVerdict[] {
  const byVersion = new Map(input.versions.map((v) => [v.version, v]));
  const records = new Map(input.versions.map((v) => [v.version, parseVersionRecord(v.description)]));
  const ours = (v: string) => records.get(v)?.fingerprint !== undefined;
  const kept = new Map<string, { reason: KeepReason; alias?: string }>();
  const keepFor = (version: string, reason: KeepReason, alias?: string) => {
    if (!kept.has(version)) kept.set(version, alias === undefined ? { reason } : { reason, alias });
  };

  for (const a of input.aliases) {
    keepFor(a.version, 'alias', a.name);
    for (const v of Object.keys(a.weights)) keepFor(v, 'routing', a.name);
  }
  for (const a of input.aliases)
    for (const v of rollbackWindow(a.version, input.keep, byVersion, records)) keepFor(v, 'rollback', a.name);
  const newestServed = Math.max(
    0,
    ...input.aliases
      .flatMap((a) => [a.version, ...Object.keys(a.weights)])
      .map(Number)
      .filter(Number.isFinite),
  );

  return [...input.versions]
    .sort((a, b) => Number(a.version) - Number(b.version))
    .map((v): VersionVerdict => {
      const base = {
        version: v.version,
        sourceVersion: records.get(v.version)?.sourceVersion ?? null,
        codeSize: v.codeSize,
      };
      const k = kept.get(v.version);
      if (k) return { ...base, action: 'KEEP', ...k };
      if (!ours(v.version)) return { ...base, action: 'KEEP', reason: 'not-lci' };
      if (Number(v.version) > newestServed) return { ...base, action: 'KEEP', reason: 'unreleased' };
      const modified = Date.parse(v.lastModified);
      if (input.olderThanMs !== null && !(input.now - modified >= input.olderThanMs))
        return { ...base, action: 'KEEP', reason: 'young' };
      return { ...base, action: 'DELETE' };
    });
}

/**
 * The `keep` versions an alias served last, its current one first: back along the `prev` chain of
 * lci's records; where a record names no previous version (an older lci, a version published by
 * hand) or one that no longer exists, on down in version order through the versions lci published.
 */
export function rollbackWindow(
  current: string,
  keep: number,
  versions: Map<string, LiveVersion>,
  records: Map<string, ReturnType<typeof parseVersionRecord>>,
): string[] {
  const window = [current];
  let at = current;
  while (window.length < keep) {
    const previous = records.get(at)?.previous;
    let next: string | undefined;
    if (previous !== undefined && versions.has(previous) && !window.includes(previous)) next = previous;
    else {
      next = [...versions.keys()]
        .filter(
          (v) =>
            /^\d+$/.test(v) &&
            Number(v) < Number(at) &&
            records.get(v)?.fingerprint !== undefined &&
            !window.includes(v),
        )
        .sort((a, b) => Number(b) - Number(a))[0];
    }
    if (next === undefined) break;
    window.push(next);
    at = next;
  }
  return window;
}

export interface Leftovers {
  /** lci's layer versions no remaining version (or $LATEST) uses, except the newest lci published of each layer. */
  layerVersions: LiveLayerVersion[];
  /** Source versions whose S3 artifacts (app.zip, deps.zip) only deleted versions were built from (only names a deploy accepts). */
  sourceVersions: string[];
  /** Dependency keys of deleted layer versions that no remaining layer version has: their layer cache objects go. */
  depsKeys: string[];
}

/**
 * What goes once `deleted` versions are gone (those whose deletion Lambda confirmed), of the layer
 * versions only those `mayGo` allows (a saved plan's list). Pure.
 */
export function planLeftovers(
  input: PruneInput,
  deleted: string[],
  mayGo: (l: LiveLayerVersion) => boolean = () => true,
): Leftovers {
  const gone = new Set(deleted);
  const remaining = input.versions.filter((v) => !gone.has(v.version));
  const used = new Set([...input.latestLayers, ...remaining.flatMap((v) => v.layers)]);
  const lcis = input.layerVersions.filter((l) => keyOfLayer(l.description) !== null);
  const newest = new Map<string, number>();
  for (const l of lcis) newest.set(l.layerName, Math.max(newest.get(l.layerName) ?? 0, l.version));
  const layerVersions = lcis
    .filter((l) => !used.has(l.arn) && l.version !== newest.get(l.layerName) && mayGo(l))
    .sort((a, b) => (a.layerName === b.layerName ? a.version - b.version : a.layerName < b.layerName ? -1 : 1));
  const dropped = new Set(layerVersions.map((l) => l.arn));
  const keptKeys = new Set(
    input.layerVersions.filter((l) => !dropped.has(l.arn)).map((l) => keyOfLayer(l.description)),
  );
  const recordsOf = (vs: LiveVersion[]) => vs.map((v) => parseVersionRecord(v.description));
  const keptSources = new Set(recordsOf(remaining).map((r) => r.sourceVersion));
  const sourceVersions = [
    ...new Set(
      recordsOf(input.versions.filter((v) => gone.has(v.version)))
        // A Description anyone with Lambda access could have written never names latest/ or another path.
        .filter(
          (r) =>
            r.fingerprint !== undefined &&
            r.sourceVersion !== undefined &&
            !sourceVersionProblem(r.sourceVersion) &&
            !keptSources.has(r.sourceVersion),
        )
        .map((r) => r.sourceVersion!),
    ),
  ].sort();
  const depsKeys = [
    ...new Set(layerVersions.map((l) => keyOfLayer(l.description)!).filter((k) => !keptKeys.has(k))),
  ].sort();
  return { layerVersions, sourceVersions, depsKeys };
}

/** One version of an S3 object (or a delete marker), by key and VersionId. */
export interface ObjectVersionRef {
  key: string;
  versionId: string;
}

/**
 * On a versioned bucket, what of the artifacts that go (`keys`) is deleted for good: every version
 * and delete marker of those keys, except a version some remaining function version or layer
 * version runs from by reference (`referenced`, as `key versionId`): deleting it would stop that
 * version. Pure.
 */
export function objectVersionsToDelete(
  keys: string[],
  listed: (ObjectVersionRef & { deleteMarker: boolean })[],
  referenced: Set<string>,
): { deleted: ObjectVersionRef[]; kept: ObjectVersionRef[] } {
  const going = new Set(keys);
  const deleted: ObjectVersionRef[] = [];
  const kept: ObjectVersionRef[] = [];
  for (const v of listed) {
    if (!going.has(v.key)) continue;
    const ref = { key: v.key, versionId: v.versionId };
    if (!v.deleteMarker && referenced.has(objectRef(ref))) kept.push(ref);
    else deleted.push(ref);
  }
  return { deleted, kept };
}

export function objectRef(v: ObjectVersionRef): string {
  return `${v.key} ${v.versionId}`;
}
