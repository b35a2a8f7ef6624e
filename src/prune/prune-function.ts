import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ArtifactStore } from '../aws/artifact-store.js';
import {
  deleteLayerVersion,
  deleteVersion,
  explain,
  getConfiguration,
  listAliases,
  listLayerVersions,
  listVersions,
} from '../aws/lambda.js';
import {
  objectVersionsToDelete,
  planLeftovers,
  planVersions,
  type KeepReason,
  type LiveLayerVersion,
  type ObjectVersionRef,
  type PruneInput,
} from './prune-plan.js';
import type { PruneForecast } from '../release/plan.js';
import { referencedObjects } from './referenced.js';
import { prunedAfterRelease, type PlannedRelease } from './simulate-release.js';

/** One AWS function to prune, with what lambdas.yaml says of it in the environments that share it. */
export interface PruneTarget {
  functionName: string;
  /** Logical names in lambdas.yaml (one, unless environments give two functions one AWS name). */
  names: string[];
  envs: string[];
  /** lci's layers of this function (one per environment at most). */
  layerNames: string[];
}

export interface PruneSettings {
  keep: number;
  olderThanMs: number | null;
  dryRun: boolean;
  /**
   * The bucket keeps object versions (some environment stores code by reference): artifacts go
   * version by version, by VersionId, except those a remaining version runs from.
   */
  objectVersions: boolean;
}

export type PruneStatus = 'PRUNED' | 'PLANNED' | 'NOTHING' | 'FAILED';

export interface FunctionPruneResult {
  awsName: string;
  names: string[];
  envs: string[];
  status: PruneStatus;
  versions: {
    version: string;
    action: 'DELETE' | 'DELETED' | 'KEEP';
    reason?: KeepReason | 'referenced-now' | 'not-in-plan';
    alias?: string;
    sourceVersion: string | null;
  }[];
  layerVersions: { layer: string; version: number; action: 'DELETE' | 'DELETED' }[];
  /** S3 objects deleted (or, in a dry run, to delete); on a versioned bucket each version, `…?versionId=`. */
  s3: string[];
  /** Object versions of those artifacts kept because a remaining function or layer version runs from them. */
  s3Kept: string[];
  /** CodeSize of the versions deleted (or to delete). */
  bytes: number;
  error?: string;
}

/**
 * One function: read its versions, aliases and lci's layer versions, decide (prune-plan.ts), then
 * delete versions (Lambda refuses any an alias references by then: it stays), then the layer
 * versions and S3 artifacts only the versions actually deleted needed. Never throws: a failure is
 * a FAILED result that says how far it got.
 */
export async function pruneFunction(
  t: PruneTarget,
  settings: PruneSettings,
  lambda: LambdaClient,
  store: ArtifactStore,
  /** A saved plan's forecast: nothing outside it is deleted (nor the S3 objects of what stays). */
  only?: PruneForecast,
): Promise<FunctionPruneResult> {
  const result: FunctionPruneResult = {
    awsName: t.functionName,
    names: t.names,
    envs: t.envs,
    status: 'NOTHING',
    versions: [],
    layerVersions: [],
    s3: [],
    s3Kept: [],
    bytes: 0,
  };
  try {
    const input = await readForPrune(t, settings, lambda);
    const verdicts = planVersions(input);
    result.versions = verdicts.map(({ version, action, reason, alias, sourceVersion }) => ({
      version,
      action,
      ...(reason ? { reason } : {}),
      ...(alias ? { alias } : {}),
      sourceVersion,
    }));
    const doomed = verdicts.filter((v) => v.action === 'DELETE' && (!only || only.versions.includes(v.version)));
    for (const v of verdicts)
      if (v.action === 'DELETE' && !doomed.includes(v))
        Object.assign(result.versions.find((x) => x.version === v.version)!, { action: 'KEEP', reason: 'not-in-plan' });
    const mayGo = (l: LiveLayerVersion) => !only || only.layerVersions.includes(`${l.layerName}:${l.version}`);
    if (settings.dryRun) {
      const left = planLeftovers(
        input,
        doomed.map((v) => v.version),
        mayGo,
      );
      result.layerVersions = left.layerVersions.map((l) => ({
        layer: l.layerName,
        version: l.version,
        action: 'DELETE',
      }));
      const objects = await s3Objects(
        t,
        settings,
        store,
        lambda,
        input,
        doomed.map((v) => v.version),
        left,
      );
      result.s3 = objects.deleted.map((o) => url(store, o));
      result.s3Kept = objects.kept.map((o) => url(store, o));
      result.bytes = doomed.reduce((n, v) => n + v.codeSize, 0);
      result.status = doomed.length + left.layerVersions.length > 0 ? 'PLANNED' : 'NOTHING';
      return result;
    }
    const deleted: string[] = [];
    for (const v of doomed) {
      const row = result.versions.find((x) => x.version === v.version)!;
      if (
        await deleteVersion(lambda, t.functionName, v.version).catch(
          rethrow(`deleting version ${v.version} of ${t.functionName}`),
        )
      ) {
        deleted.push(v.version);
        row.action = 'DELETED';
        result.bytes += v.codeSize;
      } else Object.assign(row, { action: 'KEEP', reason: 'referenced-now' });
    }
    const left = planLeftovers(input, deleted, mayGo);
    for (const l of left.layerVersions) {
      await deleteLayerVersion(lambda, l.layerName, l.version).catch(
        rethrow(`deleting layer version ${l.layerName}:${l.version}`),
      );
      result.layerVersions.push({ layer: l.layerName, version: l.version, action: 'DELETED' });
    }
    const objects = await s3Objects(t, settings, store, lambda, input, deleted, left);
    result.s3Kept = objects.kept.map((o) => url(store, o));
    if (objects.deleted.length > 0) {
      await store.delete(objects.deleted).catch((e: Error) => {
        throw new Error(`deleting the S3 artifacts of deleted versions: ${e.name}: ${e.message}`);
      });
      result.s3 = objects.deleted.map((o) => url(store, o));
    }
    result.status = deleted.length + left.layerVersions.length > 0 ? 'PRUNED' : 'NOTHING';
  } catch (e) {
    result.status = 'FAILED';
    result.error = (e as Error)?.message ?? String(e);
  }
  return result;
}

/**
 * What pruning would delete of the function once `release` is applied: read now as prune reads,
 * decided on what the release will have made of it (simulate-release.ts). Deletes nothing; throws
 * when a read fails.
 */
export async function forecastPrune(
  t: PruneTarget,
  settings: PruneSettings,
  lambda: LambdaClient,
  store: ArtifactStore,
  release: PlannedRelease,
): Promise<PruneForecast> {
  const now = await readForPrune(t, settings, lambda);
  const { versions: doomed, left } = prunedAfterRelease(now, release);
  // Lambda answers where versions that exist now keep their code; the new one's zip is this release's own.
  const objects = await s3Objects(t, settings, store, lambda, now, doomed, left);
  return {
    versions: doomed,
    layerVersions: left.layerVersions.map((l) => `${l.layerName}:${l.version}`),
    s3: objects.deleted.length,
  };
}

function rethrow(doing: string) {
  return (e: unknown): never => {
    throw explain(e, doing);
  };
}

/** Everything the decision needs: versions, aliases, $LATEST's layers, the versions of lci's layers. */
async function readForPrune(t: PruneTarget, settings: PruneSettings, lambda: LambdaClient): Promise<PruneInput> {
  const reading = rethrow(`reading ${t.functionName}`);
  const [all, aliases, layers] = await Promise.all([
    listVersions(lambda, t.functionName).catch(reading),
    listAliases(lambda, t.functionName).catch(reading),
    Promise.all(t.layerNames.map((name) => listLayerVersions(lambda, name).catch(rethrow(`reading layer ${name}`)))),
  ]);
  const latest =
    all.find((v) => v.Version === '$LATEST') ??
    (await getConfiguration(lambda, t.functionName, '$LATEST').catch(reading));
  const layerVersions: LiveLayerVersion[] = t.layerNames.flatMap((layerName, i) =>
    layers[i]!.map((l) => ({ layerName, ...l })),
  );
  return {
    versions: all
      .filter((v) => v.Version !== '$LATEST')
      .map((v) => ({
        version: v.Version!,
        description: v.Description ?? '',
        lastModified: v.LastModified ?? '',
        codeSize: v.CodeSize ?? 0,
        layers: (v.Layers ?? []).map((l) => l.Arn!),
      })),
    latestLayers: (latest.Layers ?? []).map((l) => l.Arn!),
    aliases: aliases.map((a) => ({ name: a.name, version: a.version, weights: a.weights })),
    layerVersions,
    keep: settings.keep,
    olderThanMs: settings.olderThanMs,
    now: Date.now(),
  };
}

/**
 * The S3 artifacts that go, and (versioned bucket) the object versions of them kept. Unversioned:
 * the keys that exist. Versioned: every version and delete marker of those keys, by VersionId (a
 * delete by key would only hide them), except a version that a remaining function version,
 * $LATEST or a remaining layer version runs from by reference, as Lambda itself says.
 */
async function s3Objects(
  t: PruneTarget,
  settings: PruneSettings,
  store: ArtifactStore,
  lambda: LambdaClient,
  input: PruneInput,
  deleted: string[],
  left: ReturnType<typeof planLeftovers>,
): Promise<{ deleted: (string | ObjectVersionRef)[]; kept: ObjectVersionRef[] }> {
  const keys = s3Keys(t, store, left);
  if (keys.length === 0) return { deleted: [], kept: [] };
  if (!settings.objectVersions) return { deleted: await existing(store, keys), kept: [] };
  const folders = [...new Set(keys.map((k) => k.slice(0, k.lastIndexOf('/') + 1)))];
  const listed = (
    await Promise.all(
      folders.map((f) =>
        store.versions(f).catch((e: Error) => {
          throw new Error(`listing the versions of ${store.url(f)}: ${e.name}: ${e.message}`);
        }),
      ),
    )
  ).flat();
  if (!listed.some((v) => keys.includes(v.key))) return { deleted: [], kept: [] };
  const gone = new Set(deleted);
  const droppedLayers = new Set(left.layerVersions.map((l) => l.arn));
  const referenced = await referencedObjects(
    lambda,
    store.bucket,
    t.functionName,
    ['$LATEST', ...input.versions.filter((v) => !gone.has(v.version)).map((v) => v.version)],
    input.layerVersions.filter((l) => !droppedLayers.has(l.arn)).map((l) => l.arn),
  );
  return objectVersionsToDelete(keys, listed, referenced);
}

function url(store: ArtifactStore, o: string | ObjectVersionRef): string {
  return typeof o === 'string' ? store.url(o) : store.url(o.key, o.versionId);
}

/** The keys that exist (a function without dependencies has no deps.zip; a cache may be gone already). */
async function existing(store: ArtifactStore, keys: string[]): Promise<string[]> {
  const found = await Promise.all(
    keys.map((k) =>
      store.head(k).catch((e: Error) => {
        throw new Error(`reading ${store.url(k)}: ${e.name}: ${e.message}`);
      }),
    ),
  );
  return keys.filter((_, i) => found[i] !== null);
}

/** The S3 objects that go: each gone source version's zips, and the layer cache of keys no layer version has any more. */
function s3Keys(t: PruneTarget, store: ArtifactStore, left: ReturnType<typeof planLeftovers>): string[] {
  return [
    ...left.sourceVersions.flatMap((sv) => [
      store.key(t.functionName, sv, 'app.zip'),
      store.key(t.functionName, sv, 'deps.zip'),
    ]),
    ...left.depsKeys.flatMap((key) => t.envs.map((env) => store.depsKey(env, t.functionName, key))),
  ];
}
