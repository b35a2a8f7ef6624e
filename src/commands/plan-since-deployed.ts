import { connect, type AwsOptions } from '../aws/clients.js';
import type { LoadedProject } from '../config/load.js';
import { functionsOf } from '../config/select.js';
import { functionStatus } from '../deploy/status.js';
import { planSinceDeployed } from '../plan/since-deployed.js';
import type { PlanResult } from '../plan/types.js';
import { runPool } from '../pool.js';

const READS_AT_ONCE = 16;

/** plan --since deployed: reads what each alias serves, then plans each function from there. */
export async function planSinceDeployedCommand(loaded: LoadedProject, env: string, aws: AwsOptions): Promise<PlanResult> {
  const targets = functionsOf(loaded.project, env);
  const clients = await connect(aws, loaded.project.artifacts.region);
  const statuses = await runPool(targets, READS_AT_ONCE, (r) => functionStatus(clients.lambda, r));
  const deployed = new Map(
    statuses.map((s) => [
      s.name,
      { awsName: s.awsName, alias: s.alias, sourceVersion: s.status === 'DEPLOYED' || s.status === 'SHIFTING' ? s.sourceVersion : null },
    ]),
  );
  return planSinceDeployed(loaded, env, deployed);
}
