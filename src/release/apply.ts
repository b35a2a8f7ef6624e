import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { invokeFunction } from '../aws/invoke.js';
import {
  createAlias,
  errorName,
  explain,
  moveAlias,
  publishVersion,
  s3Code,
  s3Url,
  updateCode,
  updateLayers,
  waitForUpdate,
  type LayerState,
  type Timing,
} from '../aws/lambda.js';
import { clearShift } from '../aws/shift-marker.js';
import { critical } from '../critical.js';
import { DeployError, PlanStaleError } from '../errors.js';
import { layerLabel } from './layers.js';
import type { FunctionPlan, LayerSlot } from './plan.js';
import { shiftTraffic, stopWhenInterrupted, type Step } from './shift.js';
import { smokeFailure, smokeProblem } from './smoke.js';
import type { UnfinishedShift } from './strategy.js';

/** What became of an alias a release found with traffic on two versions. */
export type UnfinishedAction = 'resumed' | 'rolled-back' | 'aborted';

export interface ApplyContext {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  timing: Timing;
  bucket: string;
  report: (message: string) => void;
  /** Ctrl-C or SIGTERM: no further write, and a shift in progress is put back on the old version. */
  signal?: AbortSignal;
  /** The exact ARN of a shared layer of the plan (published at most once per run when the plan says so). */
  sharedLayer: (name: string) => Promise<string>;
  /** The function's own dependency layer, published once per name and key per run (a race's duplicate is not used). */
  ownLayer: (plan: FunctionPlan) => Promise<LayerState>;
  /** A saved plan: a precondition from it that fails means the world moved since it was made (exit 2, plan again). */
  saved: boolean;
  /**
   * S3 work UpdateFunctionCode does not need but a published version does (the code's copy to
   * latest/): started once the code update has answered, awaited before PublishVersion; a failure
   * stops the release there. A release that updates no code copies nothing.
   */
  copyCode?: () => Promise<void>;
}

export interface ApplyOutcome {
  version: string;
  previousVersion: string | null;
  unfinished: (UnfinishedShift & { action: UnfinishedAction }) | null;
  /** The function's own dependency layer after the release. */
  layer: { arn: string | null; version: number | null };
  /** The exact shared layer versions it runs with now, when the release set its layers (null: unchanged). */
  sharedLayers: string[] | null;
  /** Lambda calls that changed something, in order. */
  calls: string[];
  /** How many smoke events the new version passed before its alias moved. */
  smokePassed: number;
}

/**
 * Carries out one function's plan, deciding nothing: layers, configuration, code, version, smoke
 * gate, alias, in that order, each write guarded by a precondition the plan read (RevisionId,
 * CodeSha256). The alias moves last, only to a version published whole; a failure anywhere leaves
 * it where it was.
 */
export async function applyFunction(plan: FunctionPlan, ctx: ApplyContext): Promise<ApplyOutcome> {
  const calls: string[] = [];
  const name = plan.awsName;
  const alias = plan.read.alias;
  const where = alias ? `the alias still points to version ${alias.version}` : `alias ${plan.alias} was not created`;
  const step = stepper(plan, ctx, calls, where);

  if (plan.action === 'ABORT') {
    const to = plan.putBack!.to;
    const found = plan.unfinished!;
    await step(
      `UpdateAlias ${plan.alias} → ${to} (${Math.round(found.weight * 1000) / 10}% on version ${found.version} taken back)`,
      `putting alias ${plan.alias} of ${name} back on version ${to}`,
      () => moveAlias(ctx.lambda, name, plan.alias, to, {}, alias!.revisionId, ctx.timing),
      true,
      'alias',
    );
    if (plan.read.shiftMarked)
      await step(
        `UntagResource ${name} (shift ended)`,
        `clearing the shift mark of ${plan.alias} on ${name} (the alias is back on version ${to})`,
        () => clearShift(ctx.lambda, plan.read.functionArn, plan.alias),
        true,
      );
    return {
      version: to,
      previousVersion: alias!.version,
      unfinished: { ...found, action: plan.putBack!.why === 'aborted' ? 'aborted' : 'rolled-back' },
      layer: { arn: null, version: null },
      sharedLayers: null,
      calls,
      smokePassed: 0,
    };
  }
  if (plan.action !== 'PUBLISH' && plan.action !== 'RESUME') throw new Error(`nothing to apply for ${plan.action}`);

  const latest = plan.read.latest!;
  let revision = latest.revisionId;
  let guard: 'latest' | undefined = 'latest'; // the first write to $LATEST carries the plan's RevisionId
  let sharedArns: string[] | null = null;
  let own: LayerState | null = plan.deps.version
    ? { arn: plan.deps.version.arn, version: plan.deps.version.version, description: '' }
    : null;
  if (plan.layers) {
    const arns = await Promise.all(plan.layers.map((slot) => resolveSlot(slot, plan, ctx, calls)));
    const at = plan.layers.findIndex((s) => 'own' in s);
    if (at >= 0) own = { arn: arns[at]!, version: Number(arns[at]!.split(':').at(-1)), description: '' };
    sharedArns = arns.filter((_, i) => 'shared' in plan.layers![i]!);
    if (arns.join() !== latest.layers.join()) {
      const added = arns.filter((arn) => !latest.layers.includes(arn)).map(layerLabel);
      await step(
        `UpdateFunctionConfiguration ${name} (layers)`,
        `attaching ${added.join(', ') || 'its layers'} to ${name}`,
        () => updateLayers(ctx.lambda, name, arns, revision, ctx.timing),
        false,
        guard,
      );
      guard = undefined;
      revision = (await settled(ctx, name)).RevisionId!;
    }
  }
  let copied: Promise<void> | undefined;
  if (plan.code.update) {
    const artifact = plan.code.artifact!;
    const updated = await step(
      `UpdateFunctionCode ${name}${plan.code.storage === 'reference' ? ' (REFERENCE)' : ''}`,
      `updating the code of ${name}`,
      () => updateCode(ctx.lambda, name, s3Code(ctx.bucket, artifact, plan.code.storage), revision, ctx.timing),
      false,
      guard,
    );
    guard = undefined;
    if (updated.CodeSha256 !== plan.code.codeSha256) {
      const message = `the code in ${s3Url(ctx.bucket, artifact)} has CodeSha256 ${updated.CodeSha256}, not ${plan.code.codeSha256} as planned; something rewrote it`;
      throw ctx.saved ? new PlanStaleError(`${message}: plan again (${where})`) : new DeployError(`${message}. Re-run`);
    }
    copied = ctx.copyCode?.();
    copied?.catch(() => {}); // awaited before PublishVersion
    revision = (await settled(ctx, name)).RevisionId!;
  }
  await copied;
  const published = await step(
    `PublishVersion ${name}`,
    `publishing a version of ${name}`,
    () => publishVersion(ctx.lambda, name, plan.code.codeSha256, revision, plan.description, ctx.timing),
    false,
    guard,
  );
  const version = published.Version!;

  // The smoke gate: the new version answers before the alias moves even 1% (or is created).
  let smokePassed = 0;
  if (version !== alias?.version) {
    for (const event of plan.smoke) {
      stopWhenInterrupted(ctx.signal, `before the smoke test; ${where}`);
      ctx.report(`smoke: invoking version ${version} with event ${event.label}`);
      const out = await invokeFunction(ctx.lambda, name, version, Buffer.from(event.payload, 'base64')).catch(
        (e: unknown) => {
          throw new DeployError(`smoke test ${event.label}: ${(e as Error).message}; ${where}`);
        },
      );
      const problem = smokeProblem(out, event.expect);
      if (problem) throw smokeFailure(event.label, version, problem, out.payload, out.logTail, where);
      smokePassed++;
    }
  }

  let unfinished: ApplyOutcome['unfinished'] = null;
  if (!alias) {
    await step(
      `CreateAlias ${plan.alias} → ${version}`,
      `creating alias ${plan.alias} of ${name}`,
      () => createAlias(ctx.lambda, name, plan.alias, version, ctx.timing),
      false,
      'create',
    );
  } else if (version !== alias.version || Object.keys(alias.weights).length > 0) {
    const found = await shiftTraffic(
      {
        awsName: name,
        alias: plan.alias,
        from: alias,
        to: version,
        functionArn: published.FunctionArn!,
        strategy: { name: 'planned', steps: plan.steps },
        alarms: plan.alarms,
        marked: plan.read.shiftMarked,
      },
      ctx,
      step,
    );
    if (found) unfinished = { ...found, action: version === alias.version ? 'rolled-back' : 'resumed' };
  }
  return {
    version,
    previousVersion: alias?.version ?? null,
    unfinished,
    layer: { arn: own?.arn ?? null, version: own?.version ?? null },
    sharedLayers: sharedArns,
    calls,
    smokePassed,
  };
}

/** $LATEST once the update just made is done (its next write would otherwise be refused). */
async function settled(ctx: ApplyContext, name: string) {
  return waitForUpdate(ctx.lambda, name, ctx.timing, true).catch((e: unknown) => {
    throw explain(e, `reading ${name}`);
  });
}

async function resolveSlot(slot: LayerSlot, plan: FunctionPlan, ctx: ApplyContext, calls: string[]): Promise<string> {
  if (slot.arn !== null) return slot.arn;
  if ('shared' in slot) return ctx.sharedLayer(slot.shared);
  const layer = await ctx.ownLayer(plan);
  calls.push(`PublishLayerVersion ${plan.deps.layerName}`);
  return layer.arn;
}

/**
 * Runs one write: stops first when interrupted (except putting an alias back, which a forced exit
 * waits for), records it, and explains a failure. A write guarded by what a saved plan read that
 * Lambda refuses on its precondition means the world moved since the plan: PlanStaleError.
 */
function stepper(plan: FunctionPlan, ctx: ApplyContext, calls: string[], where: string): Step {
  return async (label, doing, run, putBack = false, guard) => {
    if (!putBack) stopWhenInterrupted(ctx.signal, `before ${label.split(' ')[0]}; ${where}`);
    ctx.report(label);
    try {
      const result = await (putBack ? critical(run) : run());
      calls.push(label);
      return result;
    } catch (e) {
      const moved =
        guard === 'create'
          ? errorName(e) === 'ResourceConflictException' && /exist/i.test((e as Error).message)
          : guard !== undefined && errorName(e) === 'PreconditionFailedException';
      if (ctx.saved && moved) {
        const what =
          guard === 'latest'
            ? `$LATEST of ${plan.awsName} changed since the plan was made (it read RevisionId ${plan.read.latest?.revisionId})`
            : guard === 'create'
              ? `alias ${plan.alias} was created since the plan was made`
              : `alias ${plan.alias} changed since the plan was made (it read RevisionId ${plan.read.alias?.revisionId})`;
        throw new PlanStaleError(`${what}; ${where}: plan again`);
      }
      throw explain(e, putBack ? doing : `${doing} (${where})`);
    }
  };
}
