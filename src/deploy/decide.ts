import { createHash } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { DeployedState, LayerState } from '../aws/lambda.js';
import { MAX_LAYERS } from '../config/monorepo-checks.js';
import type { VersionRecord } from './version-record.js';

export { MAX_LAYERS };

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

/**
 * The layer Description records the cache key, so any machine can tell without building whether
 * deps changed, and the SHA-256 of the zip lci checked before publishing it: only a role that may
 * publish the layer writes a Description, so a cached zip is trusted when a version records its
 * digest (never by what its S3 metadata says).
 */
export function layerDescription(key: string, sourceVersion: string, zipSha256?: string): string {
  return `lci deps ${key}${zipSha256 ? ` zip ${zipSha256}` : ''} from ${sourceVersion}`.slice(0, 256);
}

export function keyOfLayer(description: string): string | null {
  return /^lci deps ([0-9a-f]{16,64})\b/.exec(description)?.[1] ?? null;
}

/** The zip digest (base64 SHA-256, as Lambda's CodeSha256) a Description records; null for one an older lci wrote. */
export function zipOfLayer(description: string): string | null {
  return /^lci deps [0-9a-f]{16,64} zip ([A-Za-z0-9+/]{43}=) /.exec(description)?.[1] ?? null;
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
export function recordedLayer(
  serving: FunctionConfiguration,
  record: Partial<VersionRecord>,
  depsKey: string,
  layerName: string,
): LayerState | null {
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
  else if (state.latestLayer && keyOfLayer(state.latestLayer.description) === desired.depsKey)
    deps = ours === state.latestLayer.arn ? 'intact' : 'attach';
  else deps = 'publish';
  const code = state.serving.CodeSha256 === desired.codeSha256 ? 'intact' : 'update';
  return { code, deps, intact: code === 'intact' && (deps === 'none' || deps === 'intact') };
}

/**
 * The function's layers with lci's own (the layers named in `managed`: its shared layers and its
 * dependency layer) replaced by `wanted`, in that order, where the first of them was (at the end
 * when it had none); every other layer keeps its place. With one managed name this replaces our
 * layer in place, appends it, or removes it. Pure.
 */
export function arrangeLayers(current: string[], managed: string[], wanted: string[]): string[] {
  const ours = (arn: string) => managed.some((name) => isLayer(arn, name));
  const first = current.findIndex(ours);
  const kept = current.filter((arn) => !ours(arn));
  const at = first < 0 ? kept.length : current.slice(0, first).filter((arn) => !ours(arn)).length;
  return [...kept.slice(0, at), ...wanted, ...kept.slice(at)];
}

/** A shared layer a function should run with: its AWS name in the environment and its content key. */
export interface WantedLayer {
  layerName: string;
  key: string;
}

/** What a version records of its shared layers: one digest over their names and keys, in order. */
export function sharedLayersDigest(wanted: WantedLayer[]): string {
  return createHash('sha256')
    .update(wanted.map((w) => `${w.layerName}:${w.key}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/** The shared layers (of `managed`, the environment's) attached to a configuration, by layer name, in order. */
export function attachedShared(config: FunctionConfiguration, managed: string[]): string[] {
  return (config.Layers ?? []).map((l) => l.Arn ?? '').filter((arn) => managed.some((name) => isLayer(arn, name)));
}

/**
 * Whether the serving version already runs with the shared layers it should have, decided from
 * the version alone: the same layers attached in the same order, none extra, and its record's
 * digest of their keys equal to ours. False means "resolve the exact versions and compare",
 * never "change". Pure.
 */
export function sharedLayersIntact(
  serving: FunctionConfiguration,
  recordedDigest: string | undefined,
  wanted: WantedLayer[],
  managed: string[],
): boolean {
  const names = attachedShared(serving, managed).map((arn) => arn.split(':').at(-2));
  if (names.join() !== wanted.map((w) => w.layerName).join()) return false;
  return wanted.length === 0 || recordedDigest === sharedLayersDigest(wanted);
}
