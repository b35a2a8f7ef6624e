import type { Project } from '../config/types.js';
import { forecastPrune, pruneFunction } from '../prune/prune-function.js';
import { pruneTargets, settingsFor } from '../prune/prune.js';
import { Pusher } from '../artifacts/push.js';
import type { ReleasePlan } from '../release/plan.js';
import type { LayerPublisher, SharedLayerResult } from '../release/publish-layers.js';
import type { SharedLayerPlanner } from '../release/shared-layers.js';
import type { DeployResult } from './deploy.js';
import type { Run, Staged } from './stages.js';

/**
 * After a function was released: the descriptor that produced its layer is kept in S3 beside the
 * code (a failure is a warning), and with environments.<env>.prune what it no longer needs goes
 * (lci prune for that one function; a failure is a warning: the release stands).
 */
export async function afterRelease(
  project: Project,
  run: Run,
  s: Staged,
  prune: { olderThanMs: number | null } | null,
): Promise<void> {
  const result = s.result;
  if (result.status !== 'PUBLISHED') return;
  if (s.dependencies && s.r) {
    const push = new Pusher(run.store, run.ws, s.r, run.sourceVersion, () => {});
    const warning = await push.descriptor(run.ws.root, s.dependencies.inputs.descriptor);
    if (warning) result.warnings.push(warning);
    result.s3.push(...push.written.map((k) => run.store.url(k)));
  }
  if (!prune) return;
  // A saved plan deletes at most what it forecast (and what the fresh reads below still allow).
  const only = run.saved ? (s.plan?.prune ?? null) : undefined;
  if (only === null || (only && only.versions.length + only.layerVersions.length === 0)) {
    result.pruned = { versions: [], layerVersions: [], s3: [] };
    return;
  }
  s.task.phase('prune');
  s.task.report('pruning versions no alias needs');
  const { target, settings } = pruneTargetOf(project, result.awsName, result.env, s.plan?.deps.layerName, prune);
  const pruned = await pruneFunction(target, settings, run.aws.lambda, run.store, only);
  if (pruned.status === 'FAILED') {
    result.warnings.push(`released, but pruning failed: ${pruned.error}`);
    return;
  }
  result.pruned = {
    versions: pruned.versions.filter((v) => v.action === 'DELETED').map((v) => v.version),
    layerVersions: pruned.layerVersions.map((l) => `${l.layer}:${l.version}`),
    s3: pruned.s3,
  };
}

/**
 * --dry-run and --plan-out, environments.<env>.prune: what pruning will delete of a function the
 * plan publishes, once it is released, into its plan (a failed read is a warning: the plan says
 * nothing will be pruned, and applying it prunes nothing). A plain deploy never reads this.
 */
export async function forecastPruneOf(
  project: Project,
  run: Run,
  s: Staged,
  prune: { olderThanMs: number | null } | null,
): Promise<void> {
  const f = s.plan;
  if (!prune || (f?.action !== 'PUBLISH' && f?.action !== 'RESUME')) return;
  s.task.report('reading what prune would delete after the release');
  const { target, settings } = pruneTargetOf(project, f.awsName, f.env, f.deps.layerName, prune);
  try {
    f.prune = await forecastPrune(target, settings, run.aws.lambda, run.store, f);
  } catch (e) {
    s.result.warnings.push(
      `what prune would delete after the release is unknown (applying prunes nothing): ${(e as Error).message}`,
    );
  }
}

/** The function as prune sees it, limited to this environment's layer and layer caches. */
function pruneTargetOf(
  project: Project,
  awsName: string,
  env: string,
  layerName: string | undefined,
  prune: { olderThanMs: number | null },
) {
  const [all] = pruneTargets(project, new Set([awsName]));
  // Its own layer and layer caches only: another environment that releases the same AWS function
  // prunes its own (and this pipeline's role may not touch them). Every alias's versions count.
  const target = { ...all!, envs: [env], layerNames: all!.layerNames.filter((n) => n === layerName) };
  const settings = settingsFor(project, all!, { keep: undefined, olderThanMs: prune.olderThanMs, dryRun: false });
  return { target, settings };
}

/** What the run did with each shared layer some function of the plan attaches. */
export function layerResults(
  planner: SharedLayerPlanner | null,
  publisher: LayerPublisher,
  plan: ReleasePlan,
  mode: DeployResult['mode'],
): SharedLayerResult[] {
  return plan.layers
    .filter((l) => l.functions.length > 0)
    .map((l) => {
      const applied = publisher.results.get(l.name);
      const s3 = planner?.written.get(l.name) ?? [];
      if (applied) return { ...applied, functions: l.functions, s3 };
      return {
        name: l.name,
        awsName: l.awsName,
        key: l.key,
        status: l.action === 'INTACT' ? 'INTACT' : mode === 'deploy' || mode === 'apply' ? 'FAILED' : 'PLANNED',
        version: l.version?.version ?? null,
        functions: l.functions,
        s3,
        calls: l.action === 'PUBLISH' ? [`PublishLayerVersion ${l.awsName}`] : [],
      };
    });
}
