import type { LoadedProject } from '../config/load.js';
import { requireFunctions } from '../config/select.js';
import { affectedNames, planProject } from '../plan/plan.js';

export interface AffectedSelection {
  base?: string;
  head?: string;
  environ: NodeJS.ProcessEnv;
}

/**
 * The named functions, narrowed (or, without names, chosen) by the plan of the already loaded
 * project when --affected. Null: nothing is affected.
 */
export async function selectAffected(
  loaded: LoadedProject,
  names: string[],
  affected: AffectedSelection | null,
  env: string | undefined,
): Promise<string[] | null> {
  requireFunctions(loaded.project, names);
  if (!affected) return names;
  const found = new Set(affectedNames(await planProject(loaded, { ...affected, env })));
  const selected = names.length > 0 ? names.filter((n) => found.has(n)) : [...found];
  return selected.length > 0 ? selected : null;
}
