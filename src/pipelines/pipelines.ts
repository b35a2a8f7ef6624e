import type { AwsOptions } from '../aws/clients.js';
import { codePipelineClient } from '../aws/clients.js';
import { executionUrl, pipelineHistory, startAtCommit, type ExecutionInfo } from '../aws/codepipeline.js';
import type { LoadedProject } from '../config/load.js';
import { requireEnvironment } from '../config/select.js';
import { UsageError } from '../errors.js';
import { pipelineTargets, type PipelineTarget } from '../generate/generate.js';
import { planSinceDeployed } from '../plan/since-deployed.js';
import type { Reason } from '../plan/types.js';
import { runPool } from '../pool.js';
import { resolveCommit } from '../vcs/git.js';
import { selectAffected } from '../plan/select-affected.js';

const READS_AT_ONCE = 8;
/** The source action of every generated pipeline (templates/modules/pipeline/main.tf). */
const SOURCE_ACTION = 'Source';

export interface PipelineRow {
  /** The function's name in lambdas.yaml. */
  name: string;
  env: string;
  pipeline: string;
  exists: boolean;
  latest: (ExecutionInfo & { url: string }) | null;
  /** The source revision of the last successful run. */
  lastSucceeded: string | null;
  /** Changed since the last successful run (as `lci plan` decides); null when unknown (no pipeline, no repository). */
  affected: boolean | null;
  reasons: Reason[];
}

export interface PipelinesResult {
  region: string;
  pipelines: PipelineRow[];
}

/** lci pipelines: every pipeline generate writes, whether it exists, its latest run, and whether its function changed since the last success. */
export async function listPipelines(
  loaded: LoadedProject,
  opts: { envs: string[]; aws: AwsOptions },
): Promise<PipelinesResult> {
  const { project } = loaded;
  for (const e of opts.envs) requireEnvironment(project, e);
  const targets = pipelineTargets(project, opts.envs, []);
  const { client, region } = await codePipelineClient(opts.aws, project.artifacts.region);
  try {
    const histories = await runPool(targets, READS_AT_ONCE, (t) => pipelineHistory(client, t.name));
    const rows: PipelineRow[] = targets.map((t, i) => {
      const h = histories[i]!;
      return {
        name: t.r.name,
        env: t.r.env,
        pipeline: t.name,
        exists: h.exists,
        latest: h.latest ? { ...h.latest, url: executionUrl(region, t.name, h.latest.id) } : null,
        lastSucceeded: h.lastSucceeded?.revision ?? null,
        affected: null,
        reasons: [],
      };
    });
    if (loaded.inRepo) await markAffected(loaded, targets, rows);
    return { region, pipelines: rows };
  } finally {
    client.destroy();
  }
}

/** Per environment, plans each function from the commit its pipeline last released (as `plan --since deployed` does from aliases). */
async function markAffected(loaded: LoadedProject, targets: PipelineTarget[], rows: PipelineRow[]): Promise<void> {
  for (const env of new Set(targets.map((t) => t.r.env))) {
    const deployed = new Map<string, { awsName: string; alias: string; sourceVersion: string | null }>();
    for (const fn of Object.values(loaded.project.functions)) {
      const r = fn.envs[env];
      if (!r) continue;
      const row = rows.find((x) => x.env === env && x.name === fn.name);
      deployed.set(fn.name, { awsName: r.functionName, alias: r.alias, sourceVersion: row?.lastSucceeded ?? null });
    }
    const plan = await planSinceDeployed(loaded, env, deployed);
    for (const f of plan.functions) {
      const row = rows.find((x) => x.env === env && x.name === f.name);
      if (!row?.exists) continue;
      row.affected = f.affected;
      row.reasons = f.reasons.map((reason) =>
        reason.rule === 'never-deployed'
          ? { path: null, rule: reason.rule, detail: 'the pipeline has no successful run' }
          : reason,
      );
    }
  }
}

export interface StartRow {
  name: string;
  env: string;
  pipeline: string;
  status: 'STARTED' | 'FAILED';
  executionId: string | null;
  url: string | null;
  error: string | null;
}

export interface StartResult {
  env: string;
  commit: string;
  /** Null when --affected found nothing to start. */
  pipelines: StartRow[] | null;
}

/** lci pipelines start: StartPipelineExecution for the named (or affected) functions' pipelines, at one commit. */
export async function startPipelines(
  loaded: LoadedProject,
  opts: {
    names: string[];
    env: string;
    affected: { base?: string; environ: NodeJS.ProcessEnv } | null;
    sourceVersion?: string;
    aws: AwsOptions;
  },
): Promise<StartResult> {
  const { project } = loaded;
  requireEnvironment(project, opts.env);
  if (opts.names.length === 0 && !opts.affected)
    throw new UsageError('pipelines start needs FUNCTION... or --affected');
  if (!loaded.inRepo) throw new UsageError('pipelines start needs a git checkout: it starts the pipelines at a commit');
  const rev = opts.sourceVersion ?? 'HEAD';
  const commit = await resolveCommit(loaded.root, rev);
  if (!commit) throw new UsageError(`--source-version ${rev}: no such commit here`);
  const names = await selectAffected(loaded, opts.names, opts.affected, opts.env);
  if (names === null) return { env: opts.env, commit, pipelines: null };
  for (const n of names) {
    if (!project.functions[n]!.envs[opts.env])
      throw new UsageError(
        `function ${n} is not deployed to environment ${opts.env} (environments.${opts.env}: false): it has no pipeline there`,
      );
  }
  const targets = pipelineTargets(project, [opts.env], names);
  const { client, region } = await codePipelineClient(opts.aws, project.artifacts.region);
  try {
    const pipelines = await runPool(targets, READS_AT_ONCE, async (t): Promise<StartRow> => {
      const base = { name: t.r.name, env: t.r.env, pipeline: t.name };
      try {
        const id = await startAtCommit(client, t.name, SOURCE_ACTION, commit);
        return { ...base, status: 'STARTED', executionId: id, url: executionUrl(region, t.name, id), error: null };
      } catch (e) {
        return { ...base, status: 'FAILED', executionId: null, url: null, error: (e as Error).message };
      }
    });
    return { env: opts.env, commit, pipelines };
  } finally {
    client.destroy();
  }
}
