import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { LoadedProject } from '../config/load.js';
import { requireFunctions } from '../config/select.js';
import { affectedNames, planProject } from './plan.js';

export interface AffectedSelection {
  base?: string;
  head?: string;
  /** --since deployed: each function from the source version its alias serves (needs an environment). */
  sinceDeployed?: boolean;
  environ: NodeJS.ProcessEnv;
}

/**
 * The named functions, narrowed (or, without names, chosen) by the plan of the already loaded
 * project when --affected. Null: nothing is affected. `lambda` is asked for only --since deployed.
 */
export async function selectAffected(
  loaded: LoadedProject,
  names: string[],
  affected: AffectedSelection | null,
  env: string | undefined,
  lambda?: () => Promise<LambdaClient>,
): Promise<string[] | null> {
  requireFunctions(loaded.project, names);
  if (!affected) return names;
  // Loaded only for --since deployed: it brings the AWS SDK, which lci build never needs otherwise.
  const plan =
    affected.sinceDeployed && env !== undefined && lambda
      ? await (await import('./deployed.js')).planFromDeployed(
          loaded,
          env,
          await lambda(),
          names.length > 0 ? names : null,
        )
      : await planProject(loaded, { ...affected, env });
  const found = new Set(affectedNames(plan));
  const selected = names.length > 0 ? names.filter((n) => found.has(n)) : [...found];
  return selected.length > 0 ? selected : null;
}
