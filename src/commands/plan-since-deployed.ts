import { connect, type AwsOptions } from '../aws/clients.js';
import type { LoadedProject } from '../config/load.js';
import { functionsOf } from '../config/select.js';
import { servedSourceVersion } from '../deploy/status.js';
import { planSinceDeployed } from '../plan/since-deployed.js';
import type { PlanResult } from '../plan/types.js';
import { runPool } from '../pool.js';

const READS_AT_ONCE = 16;

/** plan --since deployed: reads what each alias serves, then plans each function from there. */
export async function planSinceDeployedCommand(loaded: LoadedProject, env: string, aws: AwsOptions): Promise<PlanResult> {
  const targets = functionsOf(loaded.project, env);
  const clients = await connect(aws, loaded.project.artifacts.region);
  // One GetFunction per function (GetFunction's own quota): the record of the version its alias serves.
  const served = await runPool(targets, READS_AT_ONCE, (r) => servedSourceVersion(clients.lambda, r));
  const deployed = new Map(targets.map((r, i) => [r.name, { awsName: r.functionName, alias: r.alias, sourceVersion: served[i]! }]));
  return planSinceDeployed(loaded, env, deployed);
}
