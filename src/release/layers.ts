import { createHash } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { MAX_LAYERS } from '../config/monorepo-checks.js';

export { MAX_LAYERS };

/** Layer lists, layer names and layer records: the arithmetic the release decision and its steps share. Pure. */

/** True when a layer version ARN belongs to the named layer (any version). */
export function isLayer(arn: string, layerName: string): boolean {
  return arn.split(':').at(-2) === layerName;
}

/** `name:version` of a layer version ARN. */
export function layerLabel(arn: string): string {
  return arn.split(':').slice(-2).join(':');
}

export function layerArns(config: FunctionConfiguration): string[] {
  return (config.Layers ?? []).map((l) => l.Arn ?? '');
}

/** The version number of the named layer attached to a configuration, or null. */
export function attachedLayerVersion(config: FunctionConfiguration, layerName: string): number | null {
  const arn = layerArns(config).find((a) => isLayer(a, layerName));
  return arn ? Number(arn.split(':').at(-1)) : null;
}

/**
 * The function's layers with lci's own (the layers named in `managed`: its shared layers and its
 * dependency layer) replaced by `wanted`, in that order, where the first of them was (at the end
 * when it had none); every other layer keeps its place. With one managed name this replaces our
 * layer in place, appends it, or removes it.
 */
export function arrangeLayers<T>(current: string[], managed: string[], wanted: T[]): (string | T)[] {
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
  return layerArns(config).filter((arn) => managed.some((name) => isLayer(arn, name)));
}

/**
 * Whether the serving version already runs with the shared layers it should have, decided from
 * the version alone: the same layers attached in the same order, none extra, and its record's
 * digest of their keys equal to ours. False means "resolve the exact versions and compare",
 * never "change".
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
