import { ArtifactStore } from '../aws/artifact-store.js';
import { connect, type AwsOptions } from '../aws/clients.js';
import { codeStorage, type Storage } from '../aws/lambda.js';
import type { BudgetReport } from '../aws/request-budget.js';
import type { LoadedProject } from '../config/load.js';
import { targetsInEnvironments } from '../config/select.js';
import type { Project } from '../config/types.js';
import { pruneFunction, type FunctionPruneResult, type PruneSettings, type PruneTarget } from './prune-function.js';
import { runPool } from '../pool.js';

/** Versions each alias keeps when neither --keep nor the environment's prune.keep says. */
export const DEFAULT_KEEP = 3;
const FUNCTIONS_AT_ONCE = 8;

export interface PruneOptions {
  names: string[];
  /** Environments whose functions are pruned; empty: all. */
  envs: string[];
  /** --keep; default: the largest prune.keep of the environments that share the function, else DEFAULT_KEEP. */
  keep: number | undefined;
  olderThanMs: number | null;
  dryRun: boolean;
  aws: AwsOptions;
}

export interface PruneResult {
  dryRun: boolean;
  functions: FunctionPruneResult[];
  /** The region's code storage before, and after when something was deleted. */
  storage: { before: Storage; after: Storage | null };
  budget: BudgetReport;
}

/** lci prune: per AWS function of the selected environments, delete what lci published that nothing needs any more. */
export async function prune(loaded: LoadedProject, opts: PruneOptions): Promise<PruneResult> {
  const { project } = loaded;
  const envs = opts.envs.length > 0 ? opts.envs : Object.keys(project.environments);
  const selected = new Set(targetsInEnvironments(project, opts.names, envs).map((r) => r.functionName));
  const aws = await connect(opts.aws, project.artifacts.region);
  const store = new ArtifactStore(aws.s3, project.artifacts.bucket, project.artifacts.prefix);
  const before = await codeStorage(aws.lambda);
  const functions = await runPool(pruneTargets(project, selected), FUNCTIONS_AT_ONCE, (t) =>
    pruneFunction(t, settingsFor(project, t, opts), aws.lambda, store),
  );
  const changed = functions.some((f) => f.status === 'PRUNED');
  return {
    dryRun: opts.dryRun,
    functions,
    storage: { before, after: changed ? await codeStorage(aws.lambda) : null },
    budget: aws.budget.report(),
  };
}

/**
 * The AWS functions to prune, each with what every environment that deploys to it says (its
 * layers, its layer caches), whichever environments were selected: other aliases are read from
 * Lambda, and their rollback windows count too.
 */
export function pruneTargets(project: Project, functionNames: Set<string>): PruneTarget[] {
  const byName = new Map<string, PruneTarget>();
  for (const fn of Object.values(project.functions)) {
    for (const r of Object.values(fn.envs)) {
      if (!functionNames.has(r.functionName)) continue;
      const t = byName.get(r.functionName) ?? { functionName: r.functionName, names: [], envs: [], layerNames: [] };
      for (const [list, value] of [
        [t.names, r.name],
        [t.envs, r.env],
        [t.layerNames, r.layerName],
      ] as const)
        if (!list.includes(value)) list.push(value);
      byName.set(r.functionName, t);
    }
  }
  return [...byName.values()].sort((a, b) => (a.functionName < b.functionName ? -1 : 1));
}

/** --keep, else the largest prune.keep among the environments that share the function (the safest), else the default. */
export function settingsFor(
  project: Project,
  t: PruneTarget,
  opts: Pick<PruneOptions, 'keep' | 'olderThanMs' | 'dryRun'>,
): PruneSettings {
  const configured = Math.max(0, ...t.envs.map((e) => project.environments[e]?.prune?.keep ?? 0));
  return {
    keep: opts.keep ?? (configured > 0 ? configured : DEFAULT_KEEP),
    olderThanMs: opts.olderThanMs,
    dryRun: opts.dryRun,
    // One bucket for every environment: versioned as soon as one of them stores code by reference.
    objectVersions: Object.values(project.environments).some((e) => e.codeStorage === 'reference'),
  };
}
