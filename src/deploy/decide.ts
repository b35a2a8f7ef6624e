import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { DeployedState, LayerState } from '../aws/lambda.js';
import type { VersionRecord } from './version-record.js';

/**
 * What a release must do, decided from what is live and what was built. Pure: no AWS here.
 */

export type DepsAction =
  /** the function has no dependencies and no lci layer attached */
  | 'none'
  /** the newest layer version has our key and the serving version uses it */
  | 'intact'
  /** a layer version with our key exists but the serving version does not use it */
  | 'attach'
  /** no layer version with our key: publish one */
  | 'publish'
  /** the function lost its dependencies: take our layer off */
  | 'detach';

export interface Decision {
  code: 'intact' | 'update';
  deps: DepsAction;
  /** Nothing to write anywhere. */
  intact: boolean;
}

export interface Desired {
  codeSha256: string;
  /** Dependency cache key, or null for a function without dependencies. */
  depsKey: string | null;
  layerName: string;
}

export const MAX_LAYERS = 5;

/** The layer Description records the cache key, so any machine can tell without building whether deps changed. */
export function layerDescription(key: string, sourceVersion: string): string {
  return `lci deps ${key} from ${sourceVersion}`.slice(0, 256);
}

export function keyOfLayer(description: string): string | null {
  return /^lci deps ([0-9a-f]{16,64})\b/.exec(description)?.[1] ?? null;
}

/** True when a layer version ARN belongs to the named layer (any version). */
export function isLayer(arn: string, layerName: string): boolean {
  return arn.split(':').at(-2) === layerName;
}

/** The version number of the named layer attached to a configuration, or null. */
export function attachedLayerVersion(config: FunctionConfiguration, layerName: string): number | null {
  const arn = (config.Layers ?? []).map((l) => l.Arn ?? '').find((a) => isLayer(a, layerName));
  return arn ? Number(arn.split(':').at(-1)) : null;
}

/**
 * Whether the version an alias serves is already what this deploy would release, decided from
 * that version's configuration alone (one GetFunction): its record says it was built from the same
 * files (fingerprint) with the same dependency key, and our layer is attached to it (or, for a
 * function without dependencies, none of ours is). False means "read more", never "change":
 * versions an older lci published record no dependency key, and are decided by decide(). Pure.
 */
export function intactFromRecord(
  serving: FunctionConfiguration,
  record: Partial<VersionRecord>,
  desired: { fingerprint: string; depsKey: string | null; layerName: string },
): boolean {
  if (record.fingerprint !== desired.fingerprint) return false;
  const ours = attachedLayerVersion(serving, desired.layerName) !== null;
  if (desired.depsKey === null) return !ours;
  return ours && record.depsKey === desired.depsKey;
}

/**
 * The layer version a serving version runs with, when its record says it has our dependency key:
 * no need to list the layer's versions to know the dependencies are in place. Null otherwise. Pure.
 */
export function recordedLayer(serving: FunctionConfiguration, record: Partial<VersionRecord>, depsKey: string, layerName: string): LayerState | null {
  const version = attachedLayerVersion(serving, layerName);
  if (version === null || record.depsKey !== depsKey) return null;
  const arn = (serving.Layers ?? []).map((l) => l.Arn ?? '').find((a) => isLayer(a, layerName))!;
  return { arn, version, description: layerDescription(depsKey, record.sourceVersion ?? '') };
}

export function decide(state: DeployedState, desired: Desired): Decision {
  const layers = (state.serving.Layers ?? []).map((l) => l.Arn ?? '');
  const ours = layers.find((arn) => isLayer(arn, desired.layerName));
  let deps: DepsAction;
  if (desired.depsKey === null) deps = ours ? 'detach' : 'none';
  else if (state.latestLayer && keyOfLayer(state.latestLayer.description) === desired.depsKey) deps = ours === state.latestLayer.arn ? 'intact' : 'attach';
  else deps = 'publish';
  const code = state.serving.CodeSha256 === desired.codeSha256 ? 'intact' : 'update';
  return { code, deps, intact: code === 'intact' && (deps === 'none' || deps === 'intact') };
}

/** The function's layers with ours replaced in place (or appended, or removed); every other layer kept in order. */
export function desiredLayers(current: string[], layerName: string, ourArn: string | null): string[] {
  const index = current.findIndex((arn) => isLayer(arn, layerName));
  const next = [...current];
  if (ourArn === null) {
    if (index >= 0) next.splice(index, 1);
  } else if (index >= 0) {
    next[index] = ourArn;
  } else {
    next.push(ourArn);
  }
  return next;
}
