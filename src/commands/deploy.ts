import { availableParallelism } from 'node:os';
import { ArtifactStore } from '../aws/artifact-store.js';
import { connect, type AwsClients, type AwsOptions } from '../aws/clients.js';
import type { BudgetReport } from '../aws/request-budget.js';
import { DEFAULT_TIMING } from '../aws/lambda.js';
import { DependencyBuilder } from '../builder/dependency-builder.js';
import { dockerClient } from '../builder/docker.js';
import type { LoadedProject } from '../config/load.js';
import { functionsOf, requireEnvironment, selectTargets } from '../config/select.js';
import { autoEnvironment, sourceVersion } from '../deploy/ci-env.js';
import { deployFunction, startingResult, type FunctionDeployResult } from '../deploy/deploy-function.js';
import { releaseDecision } from '../deploy/release-gate.js';
import { shardOf, type Shard } from '../deploy/shard.js';
import { parseStrategy } from '../deploy/strategy.js';
import { UsageError } from '../errors.js';
import { dirtyInputs, dirtySourceVersion, type DirtyInputs } from '../plan/dirty.js';
import { notifySlack, type SlackOutcome } from '../notify/slack.js';
import { runPool, Slots } from '../pool.js';
import { resolveCommit, tagsPointingAt } from '../vcs/git.js';
import type { ProgressSink, TaskProgress } from '../progress.js';
import { SharedLayers, type SharedLayerResult } from '../deploy/shared-layers.js';
import { pruneFunction } from '../deploy/prune.js';
import type { Environment, Project, ResolvedFunction } from '../config/types.js';
import { pruneTargets, settingsFor } from './prune.js';
import { selectAffected, type AffectedSelection } from './select-affected.js';

export interface DeployOptions {
  names: string[];
  /** An environment name, or 'auto' (from the CI's ref). */
  env: string;
  affected: AffectedSelection | null;
  sourceVersion: string | undefined;
  /** Default: the environment's `strategy`, else all-at-once. */
  strategy: string | undefined;
  /** --only-matching-ref: deploy only a commit that is a release of the environment (see release-gate.ts). */
  onlyMatchingRef: { branch: string | null } | null;
  concurrency: number;
  /** --shard i/N: deploy only this shard's share of the selected functions (see shard.ts). */
  shard: Shard | null;
  failFast: boolean;
  dryRun: boolean;
  /** Deploy uncommitted changes to the selected functions' inputs (as `<sha>-dirty-<hash>`). */
  allowDirty: boolean;
  /** An alias left mid-shift is put back on the version it shifts from (instead of resuming the shift), and that function is not deployed. */
  abort: boolean;
  aws: AwsOptions;
  environ: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called once the functions are known and before anything is built or moved; throws to stop (a `confirm: true` environment). */
  confirm?: (env: Environment, question: string) => Promise<void>;
}

export interface DeployResult {
  env: string;
  sourceVersion: string;
  strategy: string;
  dryRun: boolean;
  /** Null when --affected found nothing to deploy, or the commit is no release (nothingToRelease). */
  functions: FunctionDeployResult[] | null;
  /** --only-matching-ref: why this commit is not a release of the environment; null otherwise. */
  nothingToRelease: string | null;
  /** Set when a Slack webhook is configured: whether the summary went out. */
  slack: SlackOutcome | null;
  /** The shared layers functions of this deploy asked for: published once (or found), before any of them. */
  layers: SharedLayerResult[];
  shard: Shard | null;
  /** What the run spent of Lambda's request quotas; null when it made no Lambda call. */
  budget: BudgetReport | null;
}

/** lci deploy: build, push to S3 and release on Lambda, per function; unchanged functions are left alone. */
export async function deploy(
  loaded: LoadedProject,
  opts: DeployOptions,
  progress: ProgressSink,
): Promise<DeployResult> {
  const { project } = loaded;
  const env = opts.env === 'auto' ? autoEnvironment(project, opts.environ) : opts.env;
  requireEnvironment(project, env);
  const strategy = parseStrategy(opts.strategy ?? project.environments[env]!.strategy ?? 'all-at-once');
  let version = await sourceVersion(opts.sourceVersion, opts.environ, loaded.inRepo ? loaded.root : null);
  if (opts.onlyMatchingRef) {
    if (!loaded.inRepo)
      throw new UsageError('--only-matching-ref needs a git checkout: it reads the tags of the commit');
    const tags = await tagsPointingAt(loaded.root, version);
    const decision = releaseDecision(project.environments[env]!, {
      commit: version,
      branch: opts.onlyMatchingRef.branch,
      tags,
    });
    if (!decision.release)
      return {
        env,
        sourceVersion: version,
        strategy: strategy.name,
        dryRun: opts.dryRun,
        slack: null,
        shard: opts.shard,
        budget: null,
        nothingToRelease: decision.reason,
        functions: null,
        layers: [],
      };
  }
  let aws: AwsClients | undefined;
  const clients = async () => (aws ??= await connect(opts.aws, project.artifacts.region));
  // A shard takes its share first (of the named functions, or of the environment's), so it plans and reads only its own.
  const shardNames = opts.shard
    ? shardOf(opts.names.length > 0 ? opts.names : functionsOf(project, env).map((r) => r.name), opts.shard)
    : null;
  const names =
    shardNames?.length === 0
      ? null
      : await selectAffected(
          loaded,
          shardNames ?? opts.names,
          opts.affected,
          env,
          async () => (await clients()).lambda,
        );
  const targets = names === null ? [] : selectTargets(project, names, env);
  const dirty = await dirtyInputs(loaded, targets);
  if (dirty) {
    if (!opts.allowDirty) throw new UsageError(dirtyRefusal(dirty));
    // Only the commit's own name is never borrowed: an explicit release name stays as given.
    const head = loaded.inRepo ? await resolveCommit(loaded.root, 'HEAD') : null;
    if (opts.sourceVersion === undefined || version === head) version = dirtySourceVersion(head ?? version, dirty.hash);
  }
  const base = {
    env,
    sourceVersion: version,
    strategy: strategy.name,
    dryRun: opts.dryRun,
    slack: null,
    nothingToRelease: null,
    shard: opts.shard,
    layers: [],
  };
  if (names === null) return { ...base, functions: null, budget: aws?.budget.report() ?? null };
  if (!opts.dryRun && targets.length > 0) {
    const e = project.environments[env]!;
    await opts.confirm?.(
      e,
      `Deploy ${targets.length === 1 ? targets[0]!.name : `${targets.length} functions`} (${version}) to ${env}, moving alias ${e.alias}?`,
    );
  }
  const connected = await clients();
  const store = new ArtifactStore(connected.s3, project.artifacts.bucket, project.artifacts.prefix);
  const deps = new DependencyBuilder(loaded.workspace, dockerClient, { signal: opts.signal });
  const layerTasks = new Map<string, TaskProgress>();
  const shared = new SharedLayers(project, {
    ws: loaded.workspace,
    aws: connected,
    store,
    deps,
    timing: DEFAULT_TIMING,
    sourceVersion: version,
    dryRun: opts.dryRun,
    report: (layer, m) => {
      let task = layerTasks.get(layer);
      if (!task) {
        task = progress.start(`layer ${layer}`);
        layerTasks.set(layer, task);
      }
      task.report(m);
    },
  });
  const ctx = {
    ws: loaded.workspace,
    aws: connected,
    store,
    deps,
    shared,
    buildSlots: new Slots(availableParallelism()),
    timing: DEFAULT_TIMING,
    sourceVersion: version,
    strategy,
    dryRun: opts.dryRun,
    abortUnfinished: opts.abort,
    signal: opts.signal,
  };
  await ctx.deps.removeLeftovers();
  const pruneAfter = project.environments[env]!.prune;
  const functions = await runPool(
    targets,
    opts.concurrency,
    async (r) => {
      const task = progress.start(r.name);
      const result = await deployFunction(r, ctx, task);
      if (result.status === 'PUBLISHED' && pruneAfter && !opts.dryRun)
        await pruneReleased(project, r, pruneAfter.olderThanMs, connected, store, task, result);
      progress.finish(
        r.name,
        result.status === 'FAILED' ? 'failed' : 'done',
        `${result.status}${result.version ? ` version ${result.version}` : ''}`,
      );
      return result;
    },
    {
      stopWhen: (res) => (opts.failFast && res.status === 'FAILED') || opts.signal?.aborted === true,
      notStarted: (r) => {
        const why = opts.signal?.aborted ? 'interrupted' : '--fail-fast';
        progress.finish(r.name, 'skipped', `not started (${why})`);
        return startingResult(r, connected.region, `not started (${why})`);
      },
    },
  );
  const layers = shared.summary();
  for (const l of layers)
    if (layerTasks.has(l.name))
      progress.finish(
        `layer ${l.name}`,
        l.status === 'FAILED' ? 'failed' : 'done',
        `${l.status}${l.version ? ` version ${l.version}` : ''}`,
      );
  let slack: SlackOutcome | null = null;
  if (
    !opts.dryRun &&
    functions.some((r) => r.status === 'PUBLISHED' || r.status === 'FAILED') &&
    opts.environ[project.notify.slackWebhookEnv]
  ) {
    slack = await notifySlack(project.notify.slackWebhookEnv, opts.environ, {
      env,
      sourceVersion: version,
      results: functions,
    });
  }
  return { ...base, functions, slack, layers, budget: connected.budget.report() };
}

/**
 * environments.<env>.prune: after a function was released, what it no longer needs goes (lci
 * prune for that one function). A failure is a warning: the release stands.
 */
async function pruneReleased(
  project: Project,
  r: ResolvedFunction,
  olderThanMs: number | null,
  aws: AwsClients,
  store: ArtifactStore,
  task: TaskProgress,
  result: FunctionDeployResult,
): Promise<void> {
  task.phase('prune');
  task.report('pruning versions no alias needs');
  const [all] = pruneTargets(project, new Set([r.functionName]));
  // Its own layer and layer caches only: another environment that releases the same AWS function
  // prunes its own (and this pipeline's role may not touch them). Every alias's versions count.
  const target = { ...all!, envs: [r.env], layerNames: [r.layerName] };
  const pruned = await pruneFunction(
    target,
    settingsFor(project, all!, { keep: undefined, olderThanMs, dryRun: false }),
    aws.lambda,
    store,
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

function dirtyRefusal(dirty: DirtyInputs): string {
  const parts = [...dirty.byFunction].map(
    ([name, paths]) =>
      `${name} (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? `, +${paths.length - 3} more` : ''})`,
  );
  return `uncommitted changes under the inputs of ${parts.join('; ')}: commit them (a deploy ships what a commit holds), or pass --allow-dirty to deploy the work tree as <sha>-dirty-${dirty.hash}`;
}

export function requireEnv(env: string | undefined): string {
  if (!env) throw new UsageError('deploy needs --env NAME (or --env auto in CI)');
  return env;
}
