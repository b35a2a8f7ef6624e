import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { firingAlarms } from '../aws/alarms.js';
import { explain, moveAlias, sleep, type Timing } from '../aws/lambda.js';
import { clearShift, markShift } from '../aws/shift-marker.js';
import { DeployError } from '../errors.js';
import { percent, remainingSteps, unfinishedShift, type UnfinishedShift } from './strategy.js';

/** What a write's precondition was read from: the plan's read of $LATEST or of the alias, or (none) an earlier write. */
export type Guard = 'latest' | 'alias' | 'create';

/** One write of a release: labelled, interruptible unless it puts an alias back, explained when it fails. */
export type Step = <T>(
  label: string,
  doing: string,
  run: () => Promise<T>,
  putBack?: boolean,
  guard?: Guard,
) => Promise<T>;

export interface ShiftContext {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  timing: Timing;
  report: (message: string) => void;
  signal?: AbortSignal;
}

export interface Shift {
  awsName: string;
  alias: string;
  /** The alias as read: its version, weights and RevisionId (which guards the first move). */
  from: { version: string; revisionId: string; weights: Record<string, number> };
  /** The version to move to. */
  to: string;
  functionArn: string;
  strategy: { name: string; steps: { weight: number; holdMs: number }[] };
  alarms: string[];
  /** The function carries lci's shift mark for this alias already. */
  marked: boolean;
}

/**
 * All at once, or in weighted steps with the alarms watched between them. An alarm, a failed step
 * or Ctrl-C/SIGTERM puts the old version back. An alias found mid-shift (a deploy killed while it
 * held) is resumed with this strategy from the step it was in, its alarms read before anything
 * moves further; it never jumps to 100% unwatched. Returns the shift it found, if any.
 */
export async function shiftTraffic(s: Shift, ctx: ShiftContext, step: Step): Promise<UnfinishedShift | null> {
  const name = s.awsName;
  const old = s.from.version;
  const found = unfinishedShift(s.from);
  const version = s.to;
  let revision = s.from.revisionId;
  // A move made with the RevisionId that was read (not one an earlier move returned) is guarded by that read.
  const guardOf = (r: string): Guard | undefined => (r === s.from.revisionId ? 'alias' : undefined);
  const steps = version === old ? [] : remainingSteps(s.strategy, found, version);
  if (found) {
    const going = version === old ? `putting all of it back on ${old}` : `resuming with ${s.strategy.name}`;
    ctx.report(
      `alias ${s.alias} was left with ${percent(found.weight)} on version ${found.version} (from ${old}): ${going}`,
    );
  }
  let shifted: { weight: number; version: string } | null = found;
  // Marked before the first weight moves, so a deploy killed mid-shift leaves a mark a no-op read
  // sees; a shift found unmarked (left by another tool) is marked before it moves on. Only a mark
  // that exists is cleared: an UntagResource spends the write budget like any other write.
  let marked = s.marked;
  if (steps.length > 0 && !marked) {
    await step(
      `TagResource ${name} (shift ${old} → ${version} in progress)`,
      `marking the shift of ${s.alias} on ${name}`,
      () => markShift(ctx.lambda, s.functionArn, s.alias, old, version),
    );
    marked = true;
  }
  const unmark = async () => {
    if (marked)
      await step(
        `UntagResource ${name} (shift ended)`,
        `clearing the shift mark of ${s.alias} on ${name}`,
        () => clearShift(ctx.lambda, s.functionArn, s.alias),
        true,
      );
  };
  try {
    if (steps.length > 0 || (found && version !== old)) {
      const firing = await firingAlarms(ctx.cloudwatch, s.alarms).catch((e: unknown) => {
        throw explain(e, `checking alarms of ${name}`);
      });
      if (firing.length > 0 && found)
        throw new DeployError(
          `alarm ${firing.join(', ')} is in ALARM with ${percent(found.weight)} of traffic on version ${found.version}`,
        );
    }
    for (const st of steps) {
      const pct = percent(st.weight);
      const moved = await step(
        `UpdateAlias ${s.alias}: ${pct} → ${version}`,
        `shifting ${pct} of ${s.alias} to version ${version}`,
        () => moveAlias(ctx.lambda, name, s.alias, old, { [version]: st.weight }, revision, ctx.timing),
        false,
        guardOf(revision),
      );
      revision = moved.revisionId;
      shifted = { weight: st.weight, version };
      const firing = await holdAndWatch(ctx, s.alarms, st.holdMs).catch((e: unknown) => {
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
      `UpdateAlias ${s.alias} → ${old} (rollback)`,
      `${(e as Error).message}; rolling ${s.alias} back to version ${old} failed`,
      () => moveAlias(ctx.lambda, name, s.alias, old, {}, revision, ctx.timing),
      true,
      guardOf(revision),
    );
    await unmark();
    throw new DeployError(`${(e as Error).message}; alias ${s.alias} rolled back to version ${old}`);
  }
  await step(
    `UpdateAlias ${s.alias} → ${version}`,
    `moving alias ${s.alias} of ${name} to version ${version}`,
    () => moveAlias(ctx.lambda, name, s.alias, version, {}, revision, ctx.timing),
    false,
    guardOf(revision),
  );
  await unmark();
  return found;
}

/** Throws (a DeployError that says where things stand) once Ctrl-C or SIGTERM arrived. */
export function stopWhenInterrupted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new DeployError(`${(signal.reason as Error)?.message ?? 'interrupted'} ${where}`);
}

/** Reads the alarms every few seconds for `holdMs`; returns early with what is firing, or when interrupted. */
async function holdAndWatch(ctx: ShiftContext, alarms: string[], holdMs: number): Promise<string[]> {
  const deadline = Date.now() + holdMs;
  const every = Math.max(200, Math.min(10_000, holdMs / 6));
  for (;;) {
    const firing = await firingAlarms(ctx.cloudwatch, alarms);
    if (firing.length > 0 || Date.now() >= deadline || ctx.signal?.aborted) return firing;
    ctx.report(`watching ${alarms.length} alarm(s), ${Math.ceil((deadline - Date.now()) / 1000)} s left`);
    await sleep(Math.min(every, deadline - Date.now()), ctx.signal);
  }
}
