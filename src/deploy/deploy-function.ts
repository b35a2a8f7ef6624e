import type { ArtifactStore } from '../aws/artifact-store.js';
import type { AwsClients } from '../aws/clients.js';
import {
  explain,
  getConfiguration,
  latestLayerVersion,
  layerVersionDescription,
  moveAlias,
  readServing,
  readState,
  type DeployedState,
  type Timing,
} from '../aws/lambda.js';
import { clearShift, isShiftMarked } from '../aws/shift-marker.js';
import { critical } from '../critical.js';
import { packageCode } from '../artifacts/code-package.js';
import type { DependencyBuilder } from '../builder/dependency-builder.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import type { Slots } from '../pool.js';
import type { TaskProgress } from '../progress.js';
import { LiveConfigError } from '../errors.js';
import {
  arrangeLayers,
  attachedLayerVersion,
  attachedShared,
  decide,
  intactFromRecord,
  recordedLayer,
  isLayer,
  keyOfLayer,
  MAX_LAYERS,
  sharedLayersDigest,
  sharedLayersIntact,
  type Decision,
  type DepsAction,
} from './decide.js';
import { tooManyLayers } from './release.js';
import type { SharedLayers } from './shared-layers.js';
import { holdsRecordedZip, recordedZip } from './layer-record.js';
import { configurationMismatch } from './live-config.js';
import { formatVersionRecord, parseVersionRecord } from './version-record.js';
import { Pusher } from './push.js';
import { release, type ReleaseOutcome } from './release.js';
import { smokeEvents } from './smoke-events.js';
import { percent, remainingSteps, unfinishedShift, type Strategy, type UnfinishedShift } from './strategy.js';

export interface DeployContext {
  ws: Workspace;
  aws: AwsClients;
  store: ArtifactStore;
  deps: DependencyBuilder;
  /** The shared layers of this deploy: identified once, published once when a function needs a new version. */
  shared: SharedLayers;
  /** Dependency builds at once across the run. */
  buildSlots?: Slots;
  timing: Timing;
  sourceVersion: string;
  strategy: Strategy;
  dryRun: boolean;
  /** --abort: an alias found mid-shift is put back on the version it shifts from, and that function is not deployed. */
  abortUnfinished: boolean;
  /** Ctrl-C or SIGTERM: no further write; a shift in progress is put back. */
  signal?: AbortSignal;
}

export type DeployStatus = 'PUBLISHED' | 'INTACT' | 'PLANNED' | 'ROLLED_BACK' | 'FAILED';

export interface FunctionDeployResult {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  status: DeployStatus;
  /** The version the alias points to after this deploy (before it, for INTACT and PLANNED). */
  version: string | null;
  previousVersion: string | null;
  /** Smoke events the new version passed before its alias moved (null: none ran). */
  smoke: { passed: number } | null;
  /** The alias was found with traffic on two versions (a deploy that did not finish): what this one did about it. */
  unfinished: ReleaseOutcome['unfinished'];
  layer: { action: DepsAction | null; version: number | null };
  /** The exact shared layer versions it runs with after this deploy, in order (`name:version`); empty without shared layers. */
  layers: string[];
  /** `zip`: how the code zip was had: written now, reused from `lci build`, copied from a function with the same files, or not needed. */
  code: { action: 'intact' | 'update' | null; sha256: string | null; zip: 'written' | 'reused' | 'shared' | 'none' };
  /** S3 objects written. */
  s3: string[];
  /** Lambda calls that changed something, or (dry run) that would. */
  calls: string[];
  console: string;
  warnings: string[];
  /** What was pruned after the release (environments.<env>.prune): versions, layer versions, S3 objects. */
  pruned?: { versions: string[]; layerVersions: string[]; s3: string[] };
  error?: string;
  /** The error itself, for --debug; not part of the JSON. */
  cause?: unknown;
}

export type Phase = 'build' | 'push' | 'release';

/**
 * One function: package the code, compute the dependency key, read what is live, and stop there
 * when nothing changed. Otherwise push what is missing to S3 (building the layer only when no
 * machine has built it before) and release. Never throws: a failure is a FAILED result that says
 * why (the alias is where it was).
 */
export async function deployFunction(
  r: ResolvedFunction,
  ctx: DeployContext,
  progress: TaskProgress,
): Promise<FunctionDeployResult> {
  const result = startingResult(r, ctx.aws.region);
  const push = new Pusher(ctx.store, ctx.ws, r, ctx.sourceVersion, (m) => progress.report(m), ctx.buildSlots);
  try {
    await run(r, ctx, progress, result, push);
  } catch (e) {
    result.status = 'FAILED';
    result.error = (e as Error)?.message ?? String(e);
    result.cause = e;
  }
  result.s3 = push.written.map((k) => ctx.store.url(k));
  return result;
}

async function run(
  r: ResolvedFunction,
  ctx: DeployContext,
  progress: TaskProgress,
  result: FunctionDeployResult,
  push: Pusher,
): Promise<void> {
  const report = (m: string, detail?: boolean) => progress.report(m, detail);
  progress.phase('build');
  // One GetFunction of the alias; the version it serves records what it was built from, its shared
  // layers' keys included. Sent now, so it waits for the request budget while the code is read;
  // its problems are still reported after the code's.
  const reading = readServing(ctx.aws.lambda, r.functionName, r.alias);
  reading.catch(() => {}); // awaited below
  report('reading code');
  const pkg = await packageCode(r, ctx.ws, { builder: ctx.deps, report });
  const dependencies = await ctx.deps.identify(r);
  const depsKey = dependencies?.key ?? null;
  const shared = await ctx.shared.wanted(r);
  const managed = ctx.shared.managed(r.env);

  report('reading Lambda');
  const serving = await reading;
  const served = parseVersionRecord(serving.config.Description);
  // A shift lci left unfinished (marked on the function) or --abort: the alias itself must be read.
  const aliasNeeded = ctx.abortUnfinished || isShiftMarked(serving.tags, r.alias);
  if (
    serving.aliasExists &&
    !aliasNeeded &&
    intactFromRecord(serving.config, served, { fingerprint: pkg.fingerprint, depsKey, layerName: r.layerName }) &&
    sharedLayersIntact(serving.config, served.layers, shared, managed)
  ) {
    result.status = 'INTACT';
    result.version = serving.config.Version ?? null;
    result.code = { ...result.code, action: 'intact', sha256: serving.config.CodeSha256 ?? null };
    result.layer = { action: depsKey ? 'intact' : 'none', version: attachedLayerVersion(serving.config, r.layerName) };
    result.layers = attachedShared(serving.config, managed).map(layerLabel);
    return;
  }
  // Something will change (or an older lci published the version): read the alias, and our layer's
  // versions unless the serving version's record already says its layer has our key. Without
  // dependencies the layer list is not needed: taking ours off is decided from the serving version.
  const recorded = depsKey ? recordedLayer(serving.config, served, depsKey, r.layerName) : null;
  const state = await readState(
    ctx.aws.lambda,
    r.functionName,
    r.alias,
    depsKey && !recorded ? r.layerName : null,
    serving,
  ).catch((e: unknown) => {
    throw explain(e, `reading ${r.functionName}`);
  });
  if (recorded) {
    // The alias moved between the reads: what its version records no longer tells; list the layer's versions.
    state.latestLayer =
      state.serving === serving.config ? recorded : await latestLayerVersion(ctx.aws.lambda, r.layerName);
  }
  const found = unfinishedShift(state.alias);
  if (found && ctx.abortUnfinished) return putBack(r, ctx, result, found, state, 'aborted');
  // The serving version records the fingerprint of its files: equal files need no zip to compare.
  const record = parseVersionRecord(state.serving.Description);
  const sameFiles = record.fingerprint === pkg.fingerprint;
  if (!sameFiles) {
    report('packaging code');
    const z = await pkg.zip();
    result.code.zip = z.reused ? 'reused' : z.sameAs ? 'shared' : 'written';
  }
  const codeSha256 = sameFiles ? state.serving.CodeSha256! : (await pkg.zip()).sha256;
  result.code.sha256 = codeSha256;
  const decision = decide(state, { codeSha256, depsKey, layerName: r.layerName });
  // A version that does not hold the zip its Description records is never attached: publish a good one.
  if (decision.deps === 'attach' && !(await holdsRecordedZip(ctx.aws.lambda, state.latestLayer!)))
    decision.deps = 'publish';
  result.code.action = decision.code;
  result.layer = { action: decision.deps, version: state.latestLayer?.version ?? null };
  result.version = state.alias?.version ?? state.serving.Version ?? null;
  // The shared layers: the serving version's record says whether it runs with their keys; otherwise their exact versions decide.
  let sharedIntact = sharedLayersIntact(state.serving, record.layers, shared, managed);
  if (!sharedIntact) {
    report('reading shared layers');
    const found = await ctx.shared.lookup(r);
    sharedIntact =
      found.every((v) => v !== null) &&
      attachedShared(state.serving, managed).join() === found.map((v) => v!.arn).join();
  }
  result.layers = attachedShared(state.serving, managed).map(layerLabel);
  if (decision.intact && sharedIntact && found) return putBack(r, ctx, result, found, state, 'rolled-back'); // this source is what the old version serves
  if (decision.intact && sharedIntact) {
    result.status = 'INTACT';
    return;
  }
  // Before any write, and in a dry run too: release only into the function lci built for, and
  // take off only a layer lci put on.
  report('checking the live configuration');
  const live = await getConfiguration(ctx.aws.lambda, r.functionName, '$LATEST').catch((e: unknown) => {
    throw explain(e, `reading ${r.functionName}`);
  });
  const mismatch = configurationMismatch(r, live);
  if (mismatch.length > 0) {
    throw new LiveConfigError(
      [
        `the live function ${r.functionName} is not what lambdas.yaml describes; nothing was written:`,
        ...mismatch.map((m) => `  ${m}`),
        '  (Terraform owns these settings: change lambdas.yaml or the Terraform so they agree)',
      ].join('\n'),
    );
  }
  const liveLayers = (live.Layers ?? []).map((l) => l.Arn ?? '');
  // Before any write, a shared layer publish included: lci's layers and the others together fit Lambda's limit.
  const planned = arrangeLayers(
    liveLayers,
    [...managed, r.layerName],
    [...r.layers.map((l) => `${l.layerName} (shared)`), ...(depsKey !== null ? [`${r.layerName} (lci)`] : [])],
  );
  if (planned.length > MAX_LAYERS) throw tooManyLayers(r.functionName, planned);
  if (decision.deps === 'detach') await checkDetachable(liveLayers, r.layerName, r, ctx);
  // A shared layer the function no longer lists comes off, when lci published it.
  for (const name of managed.filter((n) => !r.layers.some((l) => l.layerName === n)))
    await checkDetachable(liveLayers, name, r, ctx);
  const smoke = smokeEvents(r, ctx.ws.root); // before any write: an unreadable event file stops here
  if (ctx.dryRun) {
    if (!sharedIntact) await ctx.shared.exact(r); // reads only: the layers a real run would publish are listed once
    result.status = 'PLANNED';
    result.calls = plannedCalls(r, decision, state.alias === null, ctx.strategy, found, !sharedIntact);
    if (r.smoke.length > 0)
      result.calls.splice(
        result.calls.findIndex((c) => /^(CreateAlias|UpdateAlias)/.test(c)),
        0,
        `Invoke ${r.functionName}:<new version> with ${r.smoke.length} smoke event(s)`,
      );
    if (found) result.unfinished = { ...found, action: 'resumed' };
    return;
  }

  progress.phase('push');
  // Code and layer go up side by side; both are in S3 before anything is released.
  const groups = decision.deps === 'publish' ? await pkg.groups() : null;
  const [code, layer] = await Promise.allSettled([
    decision.code === 'update' ? push.code(pkg, codeSha256) : null,
    groups
      ? push.layer(ctx.deps, r, dependencies!, groups, (sha) =>
          recordedZip(ctx.aws.lambda, r.layerName, dependencies!.key, sha),
        )
      : null,
  ]);
  if (code.status === 'rejected') throw code.reason;
  if (layer.status === 'rejected') throw layer.reason;
  const layerZip = layer.value;
  // Published once for every function that uses them, before any of them is released.
  const sharedNow = (await ctx.shared.exact(r)).map((v) => v!.arn);
  result.layers = sharedNow.map(layerLabel);

  progress.phase('release');
  const outcome = await release(
    {
      fn: r,
      sourceVersion: ctx.sourceVersion,
      state,
      decision,
      codeSha256,
      description: formatVersionRecord({
        sourceVersion: ctx.sourceVersion,
        fingerprint: pkg.fingerprint,
        // The dependency key of the layer this version runs with: the next deploy decides from this version alone.
        depsKey: depsKey ?? undefined,
        ...(shared.length > 0 ? { layers: sharedLayersDigest(shared) } : {}),
        previous: state.alias?.version,
      }),
      bucket: ctx.store.bucket,
      codeKey: () => push.code(pkg, codeSha256),
      layerZip,
      sharedLayers: { arns: sharedNow, managed },
      strategy: ctx.strategy,
      smoke,
    },
    { lambda: ctx.aws.lambda, cloudwatch: ctx.aws.cloudwatch, timing: ctx.timing, report, signal: ctx.signal },
  );
  result.calls = outcome.calls;
  result.version = outcome.version;
  result.previousVersion = outcome.previousVersion;
  result.unfinished = outcome.unfinished;
  result.smoke = outcome.smokePassed > 0 ? { passed: outcome.smokePassed } : null;
  result.layer.version = outcome.layer.version;
  result.status = 'PUBLISHED';
  if (dependencies) {
    const warning = await push.descriptor(ctx.ws.root, dependencies.inputs.descriptor);
    if (warning) result.warnings.push(warning);
  }
}

/**
 * An alias left mid-shift goes back to the version it shifts from: with --abort, or when what this
 * deploy would release is that version already. One guarded UpdateAlias, which a forced exit waits for.
 */
async function putBack(
  r: ResolvedFunction,
  ctx: DeployContext,
  result: FunctionDeployResult,
  found: UnfinishedShift,
  state: DeployedState,
  action: 'aborted' | 'rolled-back',
): Promise<void> {
  const label = `UpdateAlias ${r.alias} → ${found.from} (${percent(found.weight)} on version ${found.version} taken back)`;
  result.unfinished = { ...found, action };
  result.version = found.from;
  if (ctx.dryRun) {
    result.status = 'PLANNED';
    result.calls = [label];
    return;
  }
  await critical(() =>
    moveAlias(ctx.aws.lambda, r.functionName, r.alias, found.from, {}, state.alias!.revisionId, ctx.timing),
  ).catch((e: unknown) => {
    throw explain(e, `putting alias ${r.alias} of ${r.functionName} back on version ${found.from}`);
  });
  if (isShiftMarked(state.tags, r.alias))
    await critical(() => clearShift(ctx.aws.lambda, state.serving.FunctionArn!, r.alias)).catch((e: unknown) => {
      throw explain(
        e,
        `clearing the shift mark of ${r.alias} on ${r.functionName} (the alias is back on version ${found.from})`,
      );
    });
  result.calls = [label];
  result.status = 'ROLLED_BACK';
}

/** A layer is taken off only when lci published it (its Description says so): otherwise the function would lose dependencies its code imports. */
async function checkDetachable(
  live: string[],
  layerName: string,
  r: ResolvedFunction,
  ctx: DeployContext,
): Promise<void> {
  const arn = live.find((a) => isLayer(a, layerName));
  if (!arn) return;
  const description = await layerVersionDescription(ctx.aws.lambda, arn).catch((e: unknown) => {
    throw explain(e, `reading layer ${arn}`);
  });
  if (description !== null && keyOfLayer(description) !== null) return;
  const looked =
    layerName !== r.layerName
      ? `that it no longer lists ${layerName} in its layers:`
      : r.descriptorPath === null
        ? 'descriptor: false'
        : `no dependencies in ${r.descriptorPath}`;
  throw new LiveConfigError(
    `${r.functionName} has layer ${arn.split(':').slice(-2).join(':')} attached, which lci did not publish (${description === null ? 'the version no longer exists' : `its description: "${description.slice(0, 80)}"`}), and lci found ${looked}, so it would take the layer off while the code may import from it; declare the function's descriptor in lambdas.yaml (e.g. descriptor: ../requirements.txt), or remove the layer in Terraform. Nothing was written`,
  );
}

/** A function's result before anything succeeded: FAILED until the deploy says otherwise. */
export function startingResult(r: ResolvedFunction, region: string, error?: string): FunctionDeployResult {
  return {
    name: r.name,
    env: r.env,
    awsName: r.functionName,
    alias: r.alias,
    status: 'FAILED',
    version: null,
    previousVersion: null,
    smoke: null,
    unfinished: null,
    layer: { action: null, version: null },
    layers: [],
    code: { action: null, sha256: null, zip: 'none' },
    s3: [],
    calls: [],
    console: consoleUrl(region, r.functionName, r.alias),
    warnings: [],
    ...(error === undefined ? {} : { error }),
  };
}

/** What a deploy would call, for --dry-run (a shared layer's publish is listed once, under the layers). */
function plannedCalls(
  r: ResolvedFunction,
  d: Decision,
  noAlias: boolean,
  strategy: Strategy,
  found: UnfinishedShift | null,
  sharedChange: boolean,
): string[] {
  const calls: string[] = [];
  if (d.code === 'update') calls.push(`upload app.zip`);
  if (d.deps === 'publish') calls.push(`build or reuse deps.zip, upload it`, `PublishLayerVersion ${r.layerName}`);
  if (d.deps === 'publish' || d.deps === 'attach' || d.deps === 'detach' || sharedChange)
    calls.push(`UpdateFunctionConfiguration ${r.functionName} (layers)`);
  if (d.code === 'update') calls.push(`UpdateFunctionCode ${r.functionName}`);
  calls.push(`PublishVersion ${r.functionName}`);
  if (noAlias) calls.push(`CreateAlias ${r.alias}`);
  else
    for (const s of remainingSteps(strategy, found, 'new'))
      calls.push(`UpdateAlias ${r.alias} (${percent(s.weight)} for ${s.holdMs / 1000} s)`);
  if (!noAlias) calls.push(`UpdateAlias ${r.alias}`);
  return calls;
}

/** `name:version` of a layer version ARN. */
function layerLabel(arn: string): string {
  return arn.split(':').slice(-2).join(':');
}

export function consoleUrl(region: string, functionName: string, alias: string): string {
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`;
}
