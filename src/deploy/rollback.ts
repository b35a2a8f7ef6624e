import type { LambdaClient } from '@aws-sdk/client-lambda';
import { explain, getAlias, listVersions, moveAlias, type AliasState } from '../aws/lambda.js';
import type { ResolvedFunction } from '../config/types.js';
import { UsageError } from '../errors.js';

export interface RollbackResult {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  /** The version served before, and the weights of a shift that was stopped. */
  from: { version: string; weights: Record<string, number> };
  to: string;
}

/**
 * The version a rollback moves to when none is given: during a traffic shift, the version still
 * serving most traffic (the shift stops); otherwise the highest published version below the
 * current one. Pure.
 */
export function rollbackTarget(alias: AliasState, published: string[]): string | null {
  if (Object.keys(alias.weights).length > 0) return alias.version;
  const numbers = published.filter((v) => /^\d+$/.test(v)).map(Number);
  const earlier = numbers.filter((v) => v < Number(alias.version)).sort((a, b) => b - a)[0];
  return earlier === undefined ? null : String(earlier);
}

/** Moves the alias back, guarded by the RevisionId read at the start. */
export async function rollback(lambda: LambdaClient, r: ResolvedFunction, to: string | undefined): Promise<RollbackResult> {
  const name = r.functionName;
  const alias = await getAlias(lambda, name, r.alias);
  if (!alias) throw new UsageError(`${name} has no alias ${r.alias}: nothing to roll back`);
  const target =
    to ??
    rollbackTarget(
      alias,
      (await listVersions(lambda, name)).map((v) => v.Version!),
    );
  if (target === null) throw new UsageError(`${name}: no version before ${alias.version} to roll back to`);
  try {
    await moveAlias(lambda, name, r.alias, target, {}, alias.revisionId);
  } catch (e) {
    throw explain(e, `moving alias ${r.alias} of ${name} to version ${target}`);
  }
  return { name: r.name, env: r.env, awsName: name, alias: r.alias, from: { version: alias.version, weights: alias.weights }, to: target };
}
