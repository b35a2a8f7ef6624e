import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { firingAlarms } from '../aws/alarms.js';
import { DeployError } from '../errors.js';
import {
  createAlias,
  explain,
  moveAlias,
  publishLayer,
  publishVersion,
  sleep,
  updateCode,
  updateLayers,
  waitForUpdate,
  type AliasState,
  type DeployedState,
  type Timing,
} from '../aws/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { arrangeLayers, isLayer, layerDescription, MAX_LAYERS, type Decision } from './decide.js';
import { checkPublished } from './layer-record.js';
import type { CheckedLayerZip } from './push.js';
import { critical } from '../critical.js';
import { clearShift, isShiftMarked, markShift } from '../aws/shift-marker.js';
import { invokeFunction } from '../aws/invoke.js';
import type { SmokeEvent } from './smoke-events.js';
import { smokeFailure, smokeProblem } from './smoke.js';
import { percent, remainingSteps, unfinishedShift, type Strategy, type UnfinishedShift } from './strategy.js';

export interface ReleaseInput {
  fn: ResolvedFunction;
  sourceVersion: string;
  state: DeployedState;
  decision: Decision;
  codeSha256: string;
  /** The published version's Description (source version and code fingerprint). */
  description: string;
  bucket: string;
  /** The S3 key of the code zip, uploading it first when needed. */
  codeKey: () => Promise<string>;
  /** Where the layer zip is in S3, when a layer must be published. */
  /** The layer zip to publish and the SHA-256 lci measured of it (Lambda must publish exactly those bytes). */
  layerZip: CheckedLayerZip | null;
  /** The shared layers: the exact versions this function runs with, in order, and every shared layer name of the environment (taken off when not wanted). */
  sharedLayers: { arns: string[]; managed: string[] };
  strategy: Strategy;
  /** Invoked on the new version after PublishVersion, before its alias moves at all. */
  smoke: SmokeEvent[];
}

/** What became of an alias a release found with traffic on two versions. */
export type UnfinishedAction = 'resumed' | 'rolled-back' | 'aborted';

export interface ReleaseOutcome {
  version: string;
  previousVersion: string | null;
  /** The shift the alias was left in, and whether this release resumed it or put the alias back. */
  unfinished: (UnfinishedShift & { action: UnfinishedAction }) | null;
  layer: { arn: string | null; version: number | null };
  /** Lambda calls that changed something, in order. */
  calls: string[];
  /** How many smoke events the new version passed before its alias moved (0: none configured or none needed). */
  smokePassed: number;
}

export interface ReleaseContext {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  timing: Timing;
  report: (message: string) => void;
  /** Ctrl-C or SIGTERM: no further write, and a shift in progress is put back on the old version. */
  signal?: AbortSignal;
}

/**
 * Layer, configuration, code, version, alias, in that order. Every step is guarded by Lambda's own
 * preconditions (RevisionId, CodeSha256); the alias moves last, only to a version published whole.
 * A failure anywhere leaves the alias where it was, and a re-run picks up from what is live.
 */
export async function release(input: ReleaseInput, ctx: ReleaseContext): Promise<ReleaseOutcome> {
  const { fn, state, decision } = input;
  const name = fn.functionName;
  const calls: string[] = [];
  const where = state.alias
    ? `the alias still points to version ${state.alias.version}`
    : `alias ${fn.alias} was not created`;
  const step: Step = async (label, doing, run, putBack = false) => {
    // Putting an alias back is the one write an interruption does not stop, and a forced exit waits for.
    if (!putBack) stopWhenInterrupted(ctx.signal, `before ${label.split(' ')[0]}; ${where}`);
    ctx.report(label);
    try {
      const result = await (putBack ? critical(run) : run());
      calls.push(label);
      return result;
    } catch (e) {
      throw explain(e, putBack ? doing : `${doing} (${where})`);
    }
  };

  let latest = await waitForUpdate(ctx.lambda, name, ctx.timing).catch((e: unknown) => {
    throw explain(e, `reading ${name}`);
  });
  // lci's layers on the function: its shared layers in order, then its own dependency layer (`own`).
  // The layers it has and lci does not manage stay; more than Lambda allows stops the release.
  const managed = [...input.sharedLayers.managed, fn.layerName];
  const layersWith = (current: string[], own: string | null): string[] => {
    const wanted = arrangeLayers(current, managed, [...input.sharedLayers.arns, ...(own ? [own] : [])]);
    if (wanted.length > MAX_LAYERS) throw tooManyLayers(name, wanted);
    return wanted;
  };
  const hasOwn = decision.deps === 'publish' || decision.deps === 'attach' || decision.deps === 'intact';
  // Before any write, with a stand-in for the version not published yet.
  layersWith(
    (latest.Layers ?? []).map((l) => l.Arn!),
    hasOwn ? `arn:aws:lambda:::layer:${fn.layerName}:new` : null,
  );

  let layerArn: string | null = null;
  let layerVersion: number | null = null;
  if (decision.deps === 'publish') {
    const { key, depsKey, sha256 } = input.layerZip!;
    const layer = await step(`PublishLayerVersion ${fn.layerName}`, `publishing layer ${fn.layerName}`, () =>
      publishLayer(
        ctx.lambda,
        name,
        {
          layerName: fn.layerName,
          bucket: input.bucket,
          key,
          description: layerDescription(depsKey, input.sourceVersion, sha256),
          runtimes: [fn.runtime],
          architectures: [fn.architecture],
        },
        ctx.timing,
      ),
    );
    checkPublished(layer, sha256);
    layerArn = layer.arn;
    layerVersion = layer.version;
  } else if ((decision.deps === 'attach' || decision.deps === 'intact') && state.latestLayer) {
    layerArn = state.latestLayer.arn;
    layerVersion = state.latestLayer.version;
  }

  {
    const current = (latest.Layers ?? []).map((l) => l.Arn!);
    const wanted = layersWith(
      current,
      hasOwn ? (layerArn ?? current.find((arn) => isLayer(arn, fn.layerName)) ?? null) : null,
    );
    if (wanted.join() !== current.join()) {
      const what = wanted.filter((arn) => !current.includes(arn)).map((arn) => arn.split(':').slice(-2).join(':'));
      await step(
        `UpdateFunctionConfiguration ${name} (layers)`,
        `attaching ${what.join(', ') || 'its layers'} to ${name}`,
        () => updateLayers(ctx.lambda, name, wanted, latest.RevisionId!, ctx.timing),
      );
      latest = await waitForUpdate(ctx.lambda, name, ctx.timing);
    }
  }

  if (latest.CodeSha256 !== input.codeSha256) {
    const key = await input.codeKey();
    const updated = await step(`UpdateFunctionCode ${name}`, `updating the code of ${name}`, () =>
      updateCode(ctx.lambda, name, input.bucket, key, latest.RevisionId!, ctx.timing),
    );
    if (updated.CodeSha256 !== input.codeSha256) {
      throw new DeployError(
        `the code in s3://${input.bucket}/${key} has CodeSha256 ${updated.CodeSha256}, not ${input.codeSha256} as built; something rewrote it. Re-run`,
      );
    }
    latest = await waitForUpdate(ctx.lambda, name, ctx.timing);
  }

  const published = await step(`PublishVersion ${name}`, `publishing a version of ${name}`, () =>
    publishVersion(ctx.lambda, name, input.codeSha256, latest.RevisionId!, input.description, ctx.timing),
  );
  const version = published.Version!;
  const previous = state.alias?.version ?? null;

  // The smoke gate: the new version answers before the alias moves even 1% (or is created).
  let smokePassed = 0;
  if (version !== state.alias?.version) {
    for (const event of input.smoke) {
      stopWhenInterrupted(ctx.signal, `before the smoke test; ${where}`);
      ctx.report(`smoke: invoking version ${version} with event ${event.label}`);
      const out = await invokeFunction(ctx.lambda, name, version, event.payload).catch((e: unknown) => {
        throw new DeployError(`smoke test ${event.label}: ${(e as Error).message}; ${where}`);
      });
      const problem = smokeProblem(out, event.expect);
      if (problem) throw new DeployError(smokeFailure(event.label, version, problem, out.payload, out.logTail, where));
      smokePassed++;
    }
  }

  let unfinished: ReleaseOutcome['unfinished'] = null;
  if (!state.alias) {
    await step(`CreateAlias ${fn.alias} → ${version}`, `creating alias ${fn.alias} of ${name}`, () =>
      createAlias(ctx.lambda, name, fn.alias, version, ctx.timing),
    );
  } else if (version !== state.alias.version || Object.keys(state.alias.weights).length > 0) {
    unfinished = await shiftTraffic(input, ctx, state.alias, version, published.FunctionArn!, step);
  }
  return {
    version,
    previousVersion: previous,
    unfinished,
    layer: { arn: layerArn, version: layerVersion },
    calls,
    smokePassed,
  };
}

/** Throws (a DeployError that says where things stand) once Ctrl-C or SIGTERM arrived. */
export function stopWhenInterrupted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new DeployError(`${(signal.reason as Error)?.message ?? 'interrupted'} ${where}`);
}

export function tooManyLayers(name: string, layers: string[]): DeployError {
  return new DeployError(
    `${name} would have ${layers.length} layers, Lambda allows ${MAX_LAYERS}: ${layers.join(', ')}; remove one in Terraform or from its layers: in lambdas.yaml. Nothing was changed`,
  );
}

type Step = <T>(label: string, doing: string, run: () => Promise<T>, putBack?: boolean) => Promise<T>;

/**
 * All at once, or in weighted steps with the alarms watched between them. An alarm, a failed step
 * or Ctrl-C/SIGTERM puts the old version back. An alias found mid-shift (a deploy killed while it
 * held) is resumed with this strategy from the step it was in, its alarms read before anything
 * moves further; it never jumps to 100% unwatched.
 */
async function shiftTraffic(
  input: ReleaseInput,
  ctx: ReleaseContext,
  alias: AliasState,
  version: string,
  functionArn: string,
  step: Step,
): Promise<ReleaseOutcome['unfinished']> {
  const { fn } = input;
  const name = fn.functionName;
  const old = alias.version;
  const found = unfinishedShift(alias);
  let revision = alias.revisionId;
  const steps = version === old ? [] : remainingSteps(input.strategy, found, version);
  if (found) {
    const going = version === old ? `putting all of it back on ${old}` : `resuming with ${input.strategy.name}`;
    ctx.report(
      `alias ${fn.alias} was left with ${percent(found.weight)} on version ${found.version} (from ${old}): ${going}`,
    );
  }
  let shifted: { weight: number; version: string } | null = found;
  // Marked before the first weight moves, so a deploy killed mid-shift leaves a mark a no-op read
  // sees; a shift found unmarked (left by another tool) is marked before it moves on. Only a mark
  // that exists is cleared: an UntagResource spends the write budget like any other write.
  let marked = isShiftMarked(input.state.tags, fn.alias);
  if (steps.length > 0 && !marked) {
    await step(
      `TagResource ${name} (shift ${old} → ${version} in progress)`,
      `marking the shift of ${fn.alias} on ${name}`,
      () => markShift(ctx.lambda, functionArn, fn.alias, old, version),
    );
    marked = true;
  }
  const unmark = async () => {
    if (marked)
      await step(
        `UntagResource ${name} (shift ended)`,
        `clearing the shift mark of ${fn.alias} on ${name}`,
        () => clearShift(ctx.lambda, functionArn, fn.alias),
        true,
      );
  };
  try {
    if (steps.length > 0 || (found && version !== old)) {
      const firing = await firingAlarms(ctx.cloudwatch, fn.alarms).catch((e: unknown) => {
        throw explain(e, `checking alarms of ${name}`);
      });
      if (firing.length > 0 && found)
        throw new DeployError(
          `alarm ${firing.join(', ')} is in ALARM with ${percent(found.weight)} of traffic on version ${found.version}`,
        );
    }
    for (const s of steps) {
      const pct = percent(s.weight);
      const moved = await step(
        `UpdateAlias ${fn.alias}: ${pct} → ${version}`,
        `shifting ${pct} of ${fn.alias} to version ${version}`,
        () => moveAlias(ctx.lambda, name, fn.alias, old, { [version]: s.weight }, revision, ctx.timing),
      );
      revision = moved.revisionId;
      shifted = { weight: s.weight, version };
      const firing = await holdAndWatch(ctx, fn.alarms, s.holdMs).catch((e: unknown) => {
        throw explain(e, `watching the alarms of ${name}`);
      });
      if (firing.length > 0)
        throw new DeployError(
          `alarm ${firing.join(', ')} went into ALARM with ${pct} of traffic on version ${version}`,
        );
      stopWhenInterrupted(ctx.signal, `with ${pct} of traffic on version ${version}`);
    }
    if (shifted && version !== old)
      stopWhenInterrupted(ctx.signal, `with ${percent(shifted.weight)} of traffic on version ${shifted.version}`);
  } catch (e) {
    if (!shifted) throw e; // no traffic on anything but the old version: nothing to put back
    await step(
      `UpdateAlias ${fn.alias} → ${old} (rollback)`,
      `${(e as Error).message}; rolling ${fn.alias} back to version ${old} failed`,
      () => moveAlias(ctx.lambda, name, fn.alias, old, {}, revision, ctx.timing),
      true,
    );
    await unmark();
    throw new DeployError(`${(e as Error).message}; alias ${fn.alias} rolled back to version ${old}`);
  }
  await step(`UpdateAlias ${fn.alias} → ${version}`, `moving alias ${fn.alias} of ${name} to version ${version}`, () =>
    moveAlias(ctx.lambda, name, fn.alias, version, {}, revision, ctx.timing),
  );
  await unmark();
  return found ? { ...found, action: version === old ? 'rolled-back' : 'resumed' } : null;
}

/** Reads the alarms every few seconds for `holdMs`; returns early with what is firing, or when interrupted. */
async function holdAndWatch(ctx: ReleaseContext, alarms: string[], holdMs: number): Promise<string[]> {
  const deadline = Date.now() + holdMs;
  const every = Math.max(200, Math.min(10_000, holdMs / 6));
  for (;;) {
    const firing = await firingAlarms(ctx.cloudwatch, alarms);
    if (firing.length > 0 || Date.now() >= deadline || ctx.signal?.aborted) return firing;
    ctx.report(`watching ${alarms.length} alarm(s), ${Math.ceil((deadline - Date.now()) / 1000)} s left`);
    await sleep(Math.min(every, deadline - Date.now()), ctx.signal);
  }
}
