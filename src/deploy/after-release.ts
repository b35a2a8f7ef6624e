import type { Project } from '../config/types.js';
import { pruneFunction } from '../prune/prune-function.js';
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
  s.task.phase('prune');
  s.task.report('pruning versions no alias needs');
  const [all] = pruneTargets(project, new Set([result.awsName]));
  // Its own layer and layer caches only: another environment that releases the same AWS function
  // prunes its own (and this pipeline's role may not touch them). Every alias's versions count.
  const target = {
    ...all!,
    envs: [result.env],
    layerNames: all!.layerNames.filter((n) => n === s.plan?.deps.layerName),
  };
  const pruned = await pruneFunction(
    target,
    settingsFor(project, all!, { keep: undefined, olderThanMs: prune.olderThanMs, dryRun: false }),
    run.aws.lambda,
    run.store,
  );
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
