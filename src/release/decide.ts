import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { AliasState, CodeLocation, LayerState, Serving } from '../aws/lambda.js';
import type { CodeStorage } from '../config/types.js';
import { isShiftMarked } from '../aws/shift-marker.js';
import {
  formatVersionRecord,
  keyOfLayer,
  layerDescription,
  parseVersionRecord,
  type VersionRecord,
} from '../aws/version-record.js';
import {
  arrangeLayers,
  attachedLayerVersion,
  attachedShared,
  isLayer,
  layerArns,
  layerLabel,
  MAX_LAYERS,
  sharedLayersDigest,
  sharedLayersIntact,
  type WantedLayer,
} from './layers.js';
import { configurationMismatch, type BuiltFor } from './live-config.js';
import type { DepsAction, FunctionPlan, FunctionRead, LayerSlot, LiveSettings, PlannedSmoke } from './plan.js';
import { percent, unfinishedShift, type Strategy, type UnfinishedShift } from './strategy.js';

/**
 * The release decision: the only place lci decides what a function's release does. Pure. It is
 * asked again as reads arrive: with only the alias's GetFunction it either calls the function
 * intact (a no-op costs that one read) or names what else it must see ({need}); the reader
 * fetches exactly that and asks again, until it returns the function's plan.
 */

/** What lambdas.yaml and the checkout say the function should be; no AWS. */
export interface Desired extends BuiltFor {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  layerName: string;
  /** The code fingerprint (computed without zipping). */
  fingerprint: string;
  /** The dependency key, or null for a function without dependencies. */
  depsKey: string | null;
  /** Its shared layers in order: logical name, AWS name, content key. */
  shared: (WantedLayer & { name: string })[];
  /** Every shared layer name of the environment: lci's to attach, reorder and take off. */
  managed: string[];
  sourceVersion: string;
  strategy: Strategy;
  alarms: string[];
  smoke: PlannedSmoke[];
  /** --abort: an alias found mid-shift goes back to the version it shifts from, and the function is not released. */
  abort: boolean;
  /** Where Lambda should keep the code (the environment's codeStorage): a version kept the other way is not intact. */
  codeStorage: CodeStorage;
}

/** What has been read so far; absent fields were not read. */
export interface Reads {
  /** GetFunction of the alias (of $LATEST when there is no alias). */
  serving: Serving;
  /** GetAlias: its RevisionId guards the move, its weights show a shift. Consistent with `serving`. */
  alias?: AliasState | null;
  /** The CodeSha256 of the code zip (zipped only when the files differ from the served version's). */
  codeSha256?: string;
  /** The version of the function's own layer that carries its dependency key, or null. */
  ownLayer?: LayerState | null;
  /** Per shared layer (in `Desired.shared` order), the version that carries its key, or null. */
  shared?: (LayerState | null)[];
  /** $LATEST, once idle: what a release publishes from. */
  latest?: FunctionConfiguration;
  /** Where $LATEST's code lives (read with it). */
  latestCode?: CodeLocation;
  /** Descriptions of layer versions lci would take off (null: the version is gone). */
  layerDescriptions?: Record<string, string | null>;
}

export type Need = 'alias' | 'codeSha256' | 'ownLayer' | 'shared' | 'latest' | 'layerDescriptions';

export type Decision = { need: Need[]; layerArns?: string[] } | { plan: FunctionPlan };

export function decideFunction(d: Desired, reads: Reads): Decision {
  const config = reads.serving.config;
  const record = parseVersionRecord(config.Description);
  const marked = isShiftMarked(reads.serving.tags, d.alias);
  const servedMismatch = configurationMismatch(d, config);
  const recorded = d.depsKey ? recordedLayer(config, record, d.depsKey, d.layerName) : null;
  const sharedFromRecord = sharedLayersIntact(config, record.layers, d.shared, d.managed);
  const storageIntact = reads.serving.code.storage === d.codeStorage;
  if (
    reads.serving.aliasExists &&
    !marked &&
    !d.abort &&
    servedMismatch.length === 0 &&
    storageIntact &&
    intactFromRecord(config, record, d) &&
    sharedFromRecord
  )
    return { plan: intact(d, reads, 'the served version records the same files, dependencies and layers') };

  const sameFiles = record.fingerprint === d.fingerprint;
  const need: Need[] = [];
  if (reads.serving.aliasExists && reads.alias === undefined) need.push('alias');
  if (!sameFiles && reads.codeSha256 === undefined) need.push('codeSha256');
  if (d.depsKey !== null && !recorded && reads.ownLayer === undefined) need.push('ownLayer');
  if (!sharedFromRecord && d.shared.length > 0 && reads.shared === undefined) need.push('shared');
  // What a release publishes from is read in the same round when a change is all but certain: one
  // round trip less for a changed function, one GetFunction too many only when other files zip
  // to the same bytes.
  const likelyChange =
    !sameFiles || (d.depsKey !== null && !recorded) || !sharedFromRecord || servedMismatch.length > 0;
  if (need.length > 0 && likelyChange && !d.abort && reads.latest === undefined) need.push('latest');
  if (need.length > 0) return { need };

  const alias = reads.serving.aliasExists ? (reads.alias ?? null) : null;
  const unfinished = unfinishedShift(alias);
  if (unfinished && d.abort) return { plan: putBack(d, reads, unfinished, 'aborted') };
  const codeSha256 = sameFiles ? config.CodeSha256! : reads.codeSha256!;
  const ownLayer = recorded ?? reads.ownLayer ?? null;
  const deps = depsAction(layerArns(config), ownLayer, d.depsKey, d.layerName);
  const codeIntact = config.CodeSha256 === codeSha256;
  const exact = reads.shared;
  const sharedIntact =
    sharedFromRecord ||
    (exact?.every((v) => v !== null) === true &&
      attachedShared(config, d.managed).join() === exact.map((v) => v!.arn).join());
  const releaseIntact = codeIntact && storageIntact && (deps === 'none' || deps === 'intact') && sharedIntact;
  if (releaseIntact && servedMismatch.length === 0) {
    if (unfinished) return { plan: putBack(d, reads, unfinished, 'source-served') };
    if (alias) return { plan: intact(d, reads, 'the served version has the same code, dependencies and layers') };
  }
  if (reads.latest === undefined) return { need: ['latest'] };

  const latest = reads.latest;
  const refused: string[] = [];
  const liveMismatch = configurationMismatch(d, latest);
  if (liveMismatch.length > 0) refused.push(liveConfigRefusal(d.awsName, liveMismatch));
  const sharedSlots: LayerSlot[] = d.shared.map((w, i) => ({
    shared: w.name,
    arn: exact?.[i]?.arn ?? (sharedFromRecord ? attachedShared(config, d.managed)[i]! : null),
  }));
  const ownSlot: LayerSlot[] =
    deps === 'publish'
      ? [{ own: d.layerName, arn: null }]
      : ownLayer && d.depsKey
        ? [{ own: d.layerName, arn: ownLayer.arn }]
        : [];
  const current = layerArns(latest);
  const wanted = arrangeLayers(current, [...d.managed, d.layerName], [...sharedSlots, ...ownSlot]).map((s) =>
    typeof s === 'string' ? { arn: s } : s,
  );
  if (wanted.length > MAX_LAYERS)
    refused.push(
      tooManyLayers(
        d.awsName,
        wanted.map((s) => slotLabel(d, s)),
      ),
    );
  const offLayers = current.filter(
    (arn) =>
      (deps === 'detach' && isLayer(arn, d.layerName)) ||
      d.managed.some((n) => isLayer(arn, n) && !d.shared.some((w) => w.layerName === n)),
  );
  if (offLayers.length > 0 && reads.layerDescriptions === undefined)
    return { need: ['layerDescriptions'], layerArns: offLayers };
  for (const arn of offLayers) {
    const description = reads.layerDescriptions![arn] ?? null;
    if (description === null || keyOfLayer(description) === null)
      refused.push(foreignLayerRefusal(d, arn, description));
  }
  const read = readOf(d, reads);
  const base = planBase(d, read, codeSha256, deps, ownLayer, unfinished);
  if (refused.length > 0) return { plan: { ...base, action: 'REFUSED', refused } };
  const layersChange = wanted.some((s) => s.arn === null) || wanted.map((s) => s.arn).join() !== current.join();
  return {
    plan: {
      ...base,
      action: unfinished ? 'RESUME' : 'PUBLISH',
      reasons: reasonsFor(d, {
        alias,
        codeIntact,
        storage: storageIntact ? null : reads.serving.code.storage,
        deps,
        ownLayer,
        sharedIntact,
        servedMismatch,
        unfinished,
        config,
      }),
      // The same zip kept the other way in $LATEST is updated too: only an update changes how Lambda keeps it.
      code: {
        ...base.code,
        update: latest.CodeSha256 !== codeSha256 || (reads.latestCode?.storage ?? 'copy') !== d.codeStorage,
      },
      layers: layersChange ? wanted : null,
      description: formatVersionRecord({
        sourceVersion: d.sourceVersion,
        fingerprint: d.fingerprint,
        // The key of the layer this version runs with: the next deploy decides from this version alone.
        depsKey: d.depsKey ?? undefined,
        ...(d.shared.length > 0 ? { layers: sharedLayersDigest(d.shared) } : {}),
        previous: alias?.version,
      }),
      createAlias: alias === null,
      steps: alias === null ? [] : d.strategy.steps,
    },
  };
}

/**
 * What the function's own dependency layer needs: nothing (no dependencies, none of ours
 * attached), nothing new (the version with our key is attached), attach an existing version with
 * our key, publish one (none has it), or take ours off (the dependencies are gone).
 */
export function depsAction(
  attached: string[],
  withKey: LayerState | null,
  depsKey: string | null,
  layerName: string,
): DepsAction {
  const ours = attached.find((arn) => isLayer(arn, layerName));
  if (depsKey === null) return ours ? 'detach' : 'none';
  if (!withKey) return 'publish';
  return ours === withKey.arn ? 'intact' : 'attach';
}

/**
 * Whether the version an alias serves is already what this release would publish, from that
 * version's configuration alone (one GetFunction): its record says it was built from the same
 * files (fingerprint) with the same dependency key, and our layer is attached to it (or, for a
 * function without dependencies, none of ours is). False means "read more", never "change":
 * versions an older lci published record no dependency key.
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
 * no need to list the layer's versions to know the dependencies are in place. Null otherwise.
 */
export function recordedLayer(
  serving: FunctionConfiguration,
  record: Partial<VersionRecord>,
  depsKey: string,
  layerName: string,
): LayerState | null {
  const version = attachedLayerVersion(serving, layerName);
  if (version === null || record.depsKey !== depsKey) return null;
  const arn = layerArns(serving).find((a) => isLayer(a, layerName))!;
  return { arn, version, description: layerDescription(depsKey, record.sourceVersion ?? '') };
}

export function liveConfigRefusal(awsName: string, mismatch: string[]): string {
  return [
    `the live function ${awsName} is not what lambdas.yaml describes; nothing was written:`,
    ...mismatch.map((m) => `  ${m}`),
    '  (Terraform owns these settings: change lambdas.yaml or the Terraform so they agree)',
  ].join('\n');
}

export function tooManyLayers(name: string, layers: string[]): string {
  return `${name} would have ${layers.length} layers, Lambda allows ${MAX_LAYERS}: ${layers.join(', ')}; remove one in Terraform or from its layers: in lambdas.yaml. Nothing was changed`;
}

/** A layer is taken off only when lci published it: otherwise the function would lose what its code imports. */
function foreignLayerRefusal(d: Desired, arn: string, description: string | null): string {
  const name = arn.split(':').at(-2)!;
  const looked =
    name !== d.layerName
      ? `that it no longer lists ${name} in its layers:`
      : d.descriptorPath === null
        ? 'descriptor: false'
        : `no dependencies in ${d.descriptorPath}`;
  const what = description === null ? 'the version no longer exists' : `its description: "${description.slice(0, 80)}"`;
  return `${d.awsName} has layer ${layerLabel(arn)} attached, which lci did not publish (${what}), and lci found ${looked}, so it would take the layer off while the code may import from it; declare the function's descriptor in lambdas.yaml (e.g. descriptor: ../requirements.txt), or remove the layer in Terraform. Nothing was written`;
}

function slotLabel(d: Desired, s: LayerSlot): string {
  if ('shared' in s) return `${d.shared.find((w) => w.name === s.shared)!.layerName} (shared)`;
  if ('own' in s) return `${s.own} (lci)`;
  return layerLabel(s.arn);
}

function settings(c: FunctionConfiguration): LiveSettings {
  return {
    runtime: c.PackageType === 'Image' ? null : (c.Runtime ?? null),
    architecture: (c.Architectures ?? ['x86_64'])[0]!,
    handler: c.Handler ?? null,
    layers: layerArns(c),
  };
}

function readOf(d: Desired, reads: Reads): FunctionRead {
  const c = reads.serving.config;
  const alias = reads.serving.aliasExists ? (reads.alias ?? null) : null;
  return {
    functionArn: c.FunctionArn ?? '',
    alias: alias ? { version: alias.version, revisionId: alias.revisionId, weights: alias.weights } : null,
    served: {
      ...settings(c),
      version: c.Version ?? '$LATEST',
      codeSha256: c.CodeSha256 ?? '',
      description: c.Description ?? '',
      storage: reads.serving.code.storage,
    },
    latest: reads.latest
      ? {
          ...settings(reads.latest),
          revisionId: reads.latest.RevisionId ?? '',
          codeSha256: reads.latest.CodeSha256 ?? '',
          storage: reads.latestCode?.storage ?? 'copy',
        }
      : null,
    shiftMarked: isShiftMarked(reads.serving.tags, d.alias),
  };
}

function planBase(
  d: Desired,
  read: FunctionRead,
  codeSha256: string,
  deps: DepsAction,
  ownLayer: LayerState | null,
  unfinished: UnfinishedShift | null,
): FunctionPlan {
  return {
    name: d.name,
    env: d.env,
    awsName: d.awsName,
    alias: d.alias,
    action: 'INTACT',
    reasons: [],
    refused: [],
    read,
    code: { fingerprint: d.fingerprint, codeSha256, update: false, artifact: null, storage: d.codeStorage },
    deps: {
      action: deps,
      layerName: d.layerName,
      key: d.depsKey,
      version: ownLayer && d.depsKey ? { arn: ownLayer.arn, version: ownLayer.version } : null,
      artifact: null,
      runtime: d.runtime,
      architecture: d.architecture,
    },
    sharedLayers: d.shared.map((w) => ({ name: w.name, awsName: w.layerName })),
    layers: null,
    description: '',
    createAlias: false,
    steps: [],
    alarms: d.alarms,
    smoke: d.smoke,
    unfinished,
    putBack: null,
    prune: null,
  };
}

function intact(d: Desired, reads: Reads, why: string): FunctionPlan {
  const c = reads.serving.config;
  const record = parseVersionRecord(c.Description);
  const ownVersion = attachedLayerVersion(c, d.layerName);
  const own = ownVersion === null ? null : layerArns(c).find((a) => isLayer(a, d.layerName))!;
  return {
    ...planBase(
      d,
      readOf(d, reads),
      c.CodeSha256 ?? '',
      d.depsKey === null ? 'none' : 'intact',
      own && d.depsKey ? { arn: own, version: ownVersion!, description: layerDescription(d.depsKey, '') } : null,
      null,
    ),
    reasons: [why],
    description: c.Description ?? '',
    code: {
      fingerprint: record.fingerprint ?? d.fingerprint,
      codeSha256: c.CodeSha256 ?? '',
      update: false,
      artifact: null,
      storage: reads.serving.code.storage,
    },
  };
}

function putBack(d: Desired, reads: Reads, found: UnfinishedShift, why: 'aborted' | 'source-served'): FunctionPlan {
  const c = reads.serving.config;
  const base = planBase(d, readOf(d, reads), c.CodeSha256 ?? '', 'none', null, found);
  const left = `alias ${d.alias} was left with ${percent(found.weight)} of traffic on version ${found.version} (from ${found.from})`;
  return {
    ...base,
    action: 'ABORT',
    reasons: [
      why === 'aborted'
        ? `${left}: --abort puts all of it back on ${found.from}; the function is not released`
        : `${left}: this source is what version ${found.from} serves, so all of it goes back there`,
    ],
    putBack: { to: found.from, why },
  };
}

function reasonsFor(
  d: Desired,
  s: {
    alias: AliasState | null;
    codeIntact: boolean;
    /** How the served version keeps its code, when that is not how this environment wants it. */
    storage: CodeStorage | null;
    deps: DepsAction;
    ownLayer: LayerState | null;
    sharedIntact: boolean;
    servedMismatch: string[];
    unfinished: UnfinishedShift | null;
    config: FunctionConfiguration;
  },
): string[] {
  const out: string[] = [];
  if (!s.alias) out.push(`alias ${d.alias} does not exist yet: it is created`);
  if (!s.codeIntact) out.push('code changed');
  if (s.storage)
    out.push(
      `code storage: the served version's code is ${s.storage === 'copy' ? 'a copy in Lambda' : 'referenced from S3'}, this environment's codeStorage is ${d.codeStorage}; the same code is published ${d.codeStorage === 'copy' ? 'as a copy' : 'by reference'}`,
    );
  if (s.deps === 'publish')
    out.push(`dependencies changed: no version of ${d.layerName} has key ${d.depsKey!.slice(0, 12)}, one is published`);
  if (s.deps === 'attach') out.push(`dependencies: ${layerLabel(s.ownLayer!.arn)} has their key, it is attached`);
  if (s.deps === 'detach') out.push(`no dependencies any more: ${d.layerName} comes off`);
  if (!s.sharedIntact) out.push(`shared layers ${d.shared.map((w) => w.name).join(', ') || '(none)'} changed`);
  for (const m of s.servedMismatch)
    out.push(
      `${m.replace('Terraform (the live function) says', 'the served version has')}; $LATEST agrees with lambdas.yaml`,
    );
  if (s.unfinished)
    out.push(
      `alias ${d.alias} was left with ${percent(s.unfinished.weight)} of traffic on version ${s.unfinished.version} (from ${s.unfinished.from}): the shift resumes with ${d.strategy.name}`,
    );
  if (out.length === 0) out.push(`version ${s.config.Version ?? '$LATEST'} was not published by this lci`);
  return out;
}
