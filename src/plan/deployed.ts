import type { LambdaClient } from '@aws-sdk/client-lambda';
import { connect, type AwsOptions } from '../aws/clients.js';
import { explain, readServing } from '../aws/lambda.js';
import { parseVersionRecord } from '../aws/version-record.js';
import type { ResolvedFunction } from '../config/types.js';
import { FunctionMissingError } from '../errors.js';
import type { LoadedProject } from '../config/load.js';
import { functionsOf } from '../config/select.js';
import { planSinceDeployed } from './since-deployed.js';
import type { PlanResult } from './types.js';
import { runPool } from '../pool.js';

const READS_AT_ONCE = 16;

/** plan --since deployed: reads what each alias serves, then plans each function from there. */
export async function planSinceDeployedCommand(
  loaded: LoadedProject,
  env: string,
  aws: AwsOptions,
): Promise<PlanResult> {
  const clients = await connect(aws, loaded.project.artifacts.region);
  return planFromDeployed(loaded, env, clients.lambda, null);
}

/**
 * The plan from what each alias serves, read with one GetFunction per function (GetFunction's own
 * quota). With `names`, only those are read and planned (a shard of a deploy).
 */
export async function planFromDeployed(
  loaded: LoadedProject,
  env: string,
  lambda: LambdaClient,
  names: string[] | null,
): Promise<PlanResult> {
  const all = functionsOf(loaded.project, env);
  const targets = names === null ? all : all.filter((r) => names.includes(r.name));
  const served = await runPool(targets, READS_AT_ONCE, (r) => servedSourceVersion(lambda, r));
  const read = new Map(targets.map((r, i) => [r.name, served[i]!]));
  const deployed = new Map(
    all.map((r) => [r.name, { awsName: r.functionName, alias: r.alias, sourceVersion: read.get(r.name) ?? null }]),
  );
  const plan = await planSinceDeployed(loaded, env, deployed);
  return names === null ? plan : { ...plan, functions: plan.functions.filter((f) => read.has(f.name)) };
}

/** The source version an alias serves (null: no alias, no function, or not deployed by lci), from one GetFunction. */
export async function servedSourceVersion(lambda: LambdaClient, r: ResolvedFunction): Promise<string | null> {
  try {
    const serving = await readServing(lambda, r.functionName, r.alias);
    return serving.aliasExists ? (parseVersionRecord(serving.config.Description).sourceVersion ?? null) : null;
  } catch (e) {
    if (e instanceof FunctionMissingError) return null;
    throw explain(e, `reading ${r.functionName}`);
  }
}
