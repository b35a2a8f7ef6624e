import type { ArtifactStore } from '../aws/artifact-store.js';
import type { AwsClients } from '../aws/clients.js';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { explain, getConfiguration, latestLayerVersion, layerVersionDescription, moveAlias, readServing, readState, type Timing } from '../aws/lambda.js';
import { critical } from '../critical.js';
import { clearShift, isShiftMarked } from '../aws/shift-marker.js';
import { packageCode } from '../artifacts/code-package.js';
import type { DependencyBuilder } from '../builder/dependency-builder.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import type { Slots } from '../pool.js';
import type { TaskProgress } from '../progress.js';
import { LiveConfigError } from '../errors.js';
import { attachedLayerVersion, decide, intactFromRecord, recordedLayer, isLayer, keyOfLayer, type Decision, type DepsAction } from './decide.js';
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
  /** `zip`: how the code zip was had: written now, reused from `lci build`, or not needed. */
  code: { action: 'intact' | 'update' | null; sha256: string | null; zip: 'written' | 'reused' | 'none' };
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
export async function deployFunction(r: ResolvedFunction, ctx: DeployContext, progress: TaskProgress): Promise<FunctionDeployResult> {
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

async function run(r: ResolvedFunction, ctx: DeployContext, progress: TaskProgress, result: FunctionDeployResult, push: Pusher): Promise<void> {
  const report = (m: string, detail?: boolean) => progress.report(m, detail);
  progress.phase('build');
  report('reading code');
  const pkg = await packageCode(r, ctx.ws);
  const dependencies = await ctx.deps.identify(r);
  const depsKey = dependencies?.key ?? null;

  report('reading Lambda');
  // One GetFunction of the alias; the version it serves records what it was built from.
  const serving = await readServing(ctx.aws.lambda, r.functionName, r.alias);
  const record = parseVersionRecord(serving.config.Description);
  // A shift lci left unfinished (marked on the function) or --abort: the alias itself must be read.
  const aliasNeeded = ctx.abortUnfinished || isShiftMarked(serving.tags, r.alias);
  if (serving.aliasExists && !aliasNeeded && intactFromRecord(serving.config, record, { fingerprint: pkg.fingerprint, depsKey, layerName: r.layerName })) {
    result.status = 'INTACT';
    result.version = serving.config.Version ?? null;
    result.code = { ...result.code, action: 'intact', sha256: serving.config.CodeSha256 ?? null };
    result.layer = { action: depsKey ? 'intact' : 'none', version: attachedLayerVersion(serving.config, r.layerName) };
    return;
  }
  // Something will change (or an older lci published the version): read the alias, and our layer's
  // versions unless the serving version's record already says its layer has our key. Without
  // dependencies the layer list is not needed: taking ours off is decided from the serving version.
  const recorded = depsKey ? recordedLayer(serving.config, record, depsKey, r.layerName) : null;
  const state = await readState(ctx.aws.lambda, r.functionName, r.alias, depsKey && !recorded ? r.layerName : null, serving).catch((e: unknown) => {
    throw explain(e, `reading ${r.functionName}`);
  });
  if (recorded) {
    // The alias moved between the reads: what its version records no longer tells; list the layer's versions.
    state.latestLayer = state.serving === serving.config ? recorded : await latestLayerVersion(ctx.aws.lambda, r.layerName);
  }
  const found = unfinishedShift(state.alias);
  if (found && ctx.abortUnfinished) return putBack(r, ctx, result, found, state.alias!.revisionId, state.serving.FunctionArn!, 'aborted');
  // The serving version records the fingerprint of its files: equal files need no zip to compare.
  const sameFiles = parseVersionRecord(state.serving.Description).fingerprint === pkg.fingerprint;
  if (!sameFiles) {
    report('packaging code');
    const z = await pkg.zip();
    result.code.zip = z.reused ? 'reused' : 'written';
  }
  const codeSha256 = sameFiles ? state.serving.CodeSha256! : (await pkg.zip()).sha256;
  result.code.sha256 = codeSha256;
  const decision = decide(state, { codeSha256, depsKey, layerName: r.layerName });
  result.code.action = decision.code;
  result.layer = { action: decision.deps, version: state.latestLayer?.version ?? null };
  result.version = state.alias?.version ?? state.serving.Version ?? null;
  if (decision.intact && found) return putBack(r, ctx, result, found, state.alias!.revisionId, state.serving.FunctionArn!, 'rolled-back'); // this source is what the old version serves
  if (decision.intact) {
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
  if (decision.deps === 'detach') await checkDetachable(r, live, ctx);
  const smoke = smokeEvents(r, ctx.ws.root); // before any write: an unreadable event file stops here
  if (ctx.dryRun) {
    result.status = 'PLANNED';
    result.calls = plannedCalls(r, decision, state.alias === null, ctx.strategy, found);
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
  const [code, layer] = await Promise.allSettled([
    decision.code === 'update' ? push.code(pkg, codeSha256) : null,
    decision.deps === 'publish' ? push.layer(ctx.deps, dependencies!, pkg.groups) : null,
  ]);
  if (code.status === 'rejected') throw code.reason;
  if (layer.status === 'rejected') throw layer.reason;
  const layerZip = layer.value;

  progress.phase('release');
  const outcome = await release(
    {
      fn: r,
      sourceVersion: ctx.sourceVersion,
      state,
      decision,
      codeSha256,
      // The dependency key of the layer this version runs with: the next deploy decides from this version alone.
      description: formatVersionRecord({
        sourceVersion: ctx.sourceVersion,
        fingerprint: pkg.fingerprint,
        depsKey: depsKey ?? undefined,
        previous: state.alias?.version,
      }),
      bucket: ctx.store.bucket,
      codeKey: () => push.code(pkg, codeSha256),
      layerZip,
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
  revisionId: string,
  functionArn: string,
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
  await critical(() => moveAlias(ctx.aws.lambda, r.functionName, r.alias, found.from, {}, revisionId, ctx.timing)).catch((e: unknown) => {
    throw explain(e, `putting alias ${r.alias} of ${r.functionName} back on version ${found.from}`);
  });
  await critical(() => clearShift(ctx.aws.lambda, functionArn, r.alias)).catch((e: unknown) => {
    throw explain(e, `clearing the shift mark of ${r.alias} on ${r.functionName} (the alias is back on version ${found.from})`);
  });
  result.calls = [label];
  result.status = 'ROLLED_BACK';
}

/** A layer is taken off only when lci published it (its Description says so): otherwise the function would lose dependencies its code imports. */
async function checkDetachable(r: ResolvedFunction, live: FunctionConfiguration, ctx: DeployContext): Promise<void> {
  const arn = (live.Layers ?? []).map((l) => l.Arn ?? '').find((a) => isLayer(a, r.layerName));
  if (!arn) return;
  const description = await layerVersionDescription(ctx.aws.lambda, arn).catch((e: unknown) => {
    throw explain(e, `reading layer ${arn}`);
  });
  if (description !== null && keyOfLayer(description) !== null) return;
  const looked = r.descriptorPath === null ? 'descriptor: false' : `no dependencies in ${r.descriptorPath}`;
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
    code: { action: null, sha256: null, zip: 'none' },
    s3: [],
    calls: [],
    console: consoleUrl(region, r.functionName, r.alias),
    warnings: [],
    ...(error === undefined ? {} : { error }),
  };
}

/** What a deploy would call, for --dry-run. */
function plannedCalls(r: ResolvedFunction, d: Decision, noAlias: boolean, strategy: Strategy, found: UnfinishedShift | null): string[] {
  const calls: string[] = [];
  if (d.code === 'update') calls.push(`upload app.zip`);
  if (d.deps === 'publish') calls.push(`build or reuse deps.zip, upload it`, `PublishLayerVersion ${r.layerName}`);
  if (d.deps === 'publish' || d.deps === 'attach' || d.deps === 'detach') calls.push(`UpdateFunctionConfiguration ${r.functionName} (layers)`);
  if (d.code === 'update') calls.push(`UpdateFunctionCode ${r.functionName}`);
  calls.push(`PublishVersion ${r.functionName}`);
  if (noAlias) calls.push(`CreateAlias ${r.alias}`);
  else for (const s of remainingSteps(strategy, found, 'new')) calls.push(`UpdateAlias ${r.alias} (${percent(s.weight)} for ${s.holdMs / 1000} s)`);
  if (!noAlias) calls.push(`UpdateAlias ${r.alias}`);
  return calls;
}

export function consoleUrl(region: string, functionName: string, alias: string): string {
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`;
}
