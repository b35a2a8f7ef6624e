import type { LambdaClient } from '@aws-sdk/client-lambda';
import { critical } from '../critical.js';
import { clearShift } from '../aws/shift-marker.js';
import { explain, findVersion, getAlias, moveAlias, type AliasState } from '../aws/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { UsageError } from '../errors.js';
import { parseVersionRecord, type VersionRecord } from '../aws/version-record.js';

export type RollbackReason = 'given' | 'shift' | 'recorded';

export interface RollbackPlan {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  /** The version served before, and the weights of a shift that was stopped. */
  from: { version: string; weights: Record<string, number> };
  to: string;
  /** --to; the version a shift that is stopped came from; the version served before the current one (its record). */
  reason: RollbackReason;
  /** The alias's RevisionId when it was read: the move is guarded by it. */
  revisionId: string;
  aliasArn: string;
}

export type RollbackResult = Omit<RollbackPlan, 'revisionId' | 'aliasArn'> & { dryRun: boolean };

/** Records read so far: version → what its Description records, or null when the version does not exist. */
export type Records = ReadonlyMap<string, Partial<VersionRecord> | null>;

export type TargetDecision = { to: string; reason: RollbackReason } | { read: string } | { problem: string };

const HOW_TO_PASS =
  'pass --to VERSION (lci status shows what serves; aws lambda list-versions-by-function lists the versions)';

/**
 * Where a rollback goes. Pure; `records` holds what was read, and `{read}` asks for one more
 * version. During a traffic shift: the version the alias shifts from (the shift stops). Otherwise
 * the version the alias served before the current one was released, as the current version's
 * Description records it (`prev`): never a version an alarm rejected or a losing racer published,
 * since neither was ever served. Rolling back again reads that version's record, one step further.
 */
export function rollbackTarget(alias: AliasState, records: Records, given?: string): TargetDecision {
  const shifting = Object.keys(alias.weights).length > 0;
  if (given !== undefined) {
    if (given === alias.version && !shifting)
      return { problem: `alias ${alias.name} already serves version ${given}: nothing to move` };
    if (!records.has(given)) return { read: given };
    return records.get(given) === null
      ? { problem: `version ${given} does not exist` }
      : { to: given, reason: 'given' };
  }
  if (shifting) return { to: alias.version, reason: 'shift' };
  if (!records.has(alias.version)) return { read: alias.version };
  const previous = records.get(alias.version)?.previous;
  if (!previous || previous === alias.version) {
    return {
      problem: `version ${alias.version} does not record the version served before it (published by hand or by an older lci): ${HOW_TO_PASS}`,
    };
  }
  if (!records.has(previous)) return { read: previous };
  if (records.get(previous) === null)
    return { problem: `version ${previous}, served before ${alias.version}, no longer exists: ${HOW_TO_PASS}` };
  return { to: previous, reason: 'recorded' };
}

/** Reads the alias and the records the decision needs; a target that cannot be had is a usage error (exit 2). Writes nothing. */
export async function planRollback(
  lambda: LambdaClient,
  r: ResolvedFunction,
  to: string | undefined,
): Promise<RollbackPlan> {
  const name = r.functionName;
  const alias = await getAlias(lambda, name, r.alias);
  if (!alias) throw new UsageError(`${name} has no alias ${r.alias}: nothing to roll back`);
  const records = new Map<string, Partial<VersionRecord> | null>();
  for (;;) {
    const d = rollbackTarget(alias, records, to);
    if ('problem' in d) throw new UsageError(`${name}: ${d.problem}`);
    if ('to' in d) {
      return {
        name: r.name,
        env: r.env,
        awsName: name,
        alias: r.alias,
        from: { version: alias.version, weights: alias.weights },
        to: d.to,
        reason: d.reason,
        revisionId: alias.revisionId,
        aliasArn: alias.arn,
      };
    }
    const config = await findVersion(lambda, name, d.read);
    records.set(d.read, config ? parseVersionRecord(config.Description) : null);
  }
}

/** Moves the alias as planned, guarded by the RevisionId read in planRollback; a forced exit waits for it. */
export async function applyRollback(lambda: LambdaClient, plan: RollbackPlan): Promise<RollbackResult> {
  await critical(() => moveAlias(lambda, plan.awsName, plan.alias, plan.to, {}, plan.revisionId)).catch(
    (e: unknown) => {
      throw explain(e, `moving alias ${plan.alias} of ${plan.awsName} to version ${plan.to}`);
    },
  );
  // A stopped shift is over: its mark goes, so a no-op deploy need not read the alias again.
  if (Object.keys(plan.from.weights).length > 0) {
    await critical(() => clearShift(lambda, plan.aliasArn, plan.alias)).catch((e: unknown) => {
      throw explain(
        e,
        `clearing the shift mark of ${plan.alias} on ${plan.awsName} (the alias is on version ${plan.to})`,
      );
    });
  }
  return resultOf(plan, false);
}

export function resultOf(plan: RollbackPlan, dryRun: boolean): RollbackResult {
  const { revisionId: _revision, aliasArn: _arn, ...rest } = plan;
  return { ...rest, dryRun };
}
