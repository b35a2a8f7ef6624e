import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { ArtifactStore } from '../aws/artifact-store.js';
import { connect, type AwsClients, type AwsOptions } from '../aws/clients.js';
import { lambdaSdk } from '../aws/sdk.js';
import { DEFAULT_TIMING } from '../aws/lambda.js';
import type { BudgetReport } from '../aws/request-budget.js';
import { DependencyBuilder } from '../builder/dependency-builder.js';
import { dockerClient } from '../builder/docker.js';
import type { LoadedProject } from '../config/load.js';
import { functionsOf, requireEnvironment, selectTargets } from '../config/select.js';
import type { Environment, ResolvedFunction } from '../config/types.js';
import { LiveConfigError, UsageError } from '../errors.js';
import { notifySlack, type SlackOutcome } from '../notify/slack.js';
import { dirtyInputs, dirtySourceVersion, narrowToInputs, type DirtyInputs } from '../plan/dirty.js';
import { selectAffected, type AffectedSelection } from '../plan/select-affected.js';
import { runPool, Slots } from '../pool.js';
import { NO_PROGRESS, type ProgressSink, type TaskProgress } from '../progress.js';
import {
  PLAN_KIND,
  PLAN_SCHEMA_VERSION,
  planSummary,
  writes,
  type FunctionPlan,
  type ReleasePlan,
} from '../release/plan.js';
import { configDigest, serializePlan } from '../release/plan-file.js';
import { LayerPublisher, type SharedLayerResult } from '../release/publish-layers.js';
import { startingResult, type FunctionDeployResult } from '../release/result.js';
import { SharedLayerPlanner } from '../release/shared-layers.js';
import { parseStrategy } from '../release/strategy.js';
import { tagsPointingAt } from '../vcs/git.js';
import { lciVersion } from '../version.js';
import { autoEnvironment, sourceVersion } from './ci-env.js';
import { releaseDecision } from './release-gate.js';
import { shardOf, type Shard } from './shard.js';
import { afterRelease, forecastPruneOf, layerResults } from './after-release.js';
import { requireVersionedBucket } from './code-storage.js';
import { applyStage, planStage, pushStage, type Run, type Staged } from './stages.js';

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
  /** Plan and print; write nothing anywhere. */
  dryRun: boolean;
  /** Plan, upload the artifacts the plan names, and save the plan here; no Lambda write. */
  planOut: string | null;
  /** Deploy uncommitted changes to the selected functions' inputs (as `<sha>-dirty-<hash>`). */
  allowDirty: boolean;
  /** An alias left mid-shift is put back on the version it shifts from (instead of resuming the shift), and that function is not deployed. */
  abort: boolean;
  aws: AwsOptions;
  environ: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Called once the plan is made and before anything is uploaded or moved; throws to stop (a `confirm: true` environment). */
  confirm?: (env: Environment, question: string) => Promise<void>;
  /** Throws before any work when the environment would need a question that cannot be asked (no terminal, no --yes). */
  confirmable?: (env: Environment) => void;
}

export interface DeployResult {
  env: string;
  sourceVersion: string;
  strategy: string;
  dryRun: boolean;
  /** deploy: plan and apply; dry-run: plan only; plan-out: plan, upload, save the plan. */
  mode: 'deploy' | 'dry-run' | 'plan-out' | 'apply';
  /** The release plan (null when nothing was selected). */
  plan: ReleasePlan | null;
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

/** lci deploy: plan the release of the selected functions, then (unless --dry-run or --plan-out) apply it. */
export async function deploy(
  loaded: LoadedProject,
  opts: DeployOptions,
  progress: ProgressSink,
): Promise<DeployResult> {
  const { project } = loaded;
  const env = opts.env === 'auto' ? autoEnvironment(project, opts.environ) : opts.env;
  requireEnvironment(project, env);
  const strategy = parseStrategy(opts.strategy ?? project.environments[env]!.strategy ?? 'all-at-once');
  // HEAD, read once at the start (the commit the code is read from): the source version when
  // nothing names one, the name of a dirty release, and the commit the plan records.
  const head = loaded.workspace.head();
  head.catch(() => {}); // each use awaits it; an unused failure is no crash
  let version = await sourceVersion(opts.sourceVersion, opts.environ, () => head);
  const mode: DeployResult['mode'] = opts.dryRun ? 'dry-run' : opts.planOut ? 'plan-out' : 'deploy';
  const empty = { env, strategy: strategy.name, dryRun: opts.dryRun, mode, shard: opts.shard, slack: null, layers: [] };
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
        ...empty,
        sourceVersion: version,
        budget: null,
        nothingToRelease: decision.reason,
        functions: null,
        plan: null,
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
  // Packaging and the dirty check look at git only where the selected functions' inputs lie.
  const anchors = await narrowToInputs(loaded, targets);
  // git status runs on the other core while the Lambda client's modules load here.
  const dirty = await dirtyInputs(loaded, targets, anchors, lambdaSdk);
  if (dirty) {
    if (!opts.allowDirty) throw new UsageError(dirtyRefusal(dirty));
    // Only the commit's own name is never borrowed: an explicit release name stays as given.
    const commit = await head;
    if (opts.sourceVersion === undefined || version === commit)
      version = dirtySourceVersion(commit ?? version, dirty.hash);
  }
  const base = { ...empty, sourceVersion: version, nothingToRelease: null };
  if (mode === 'deploy' && targets.length > 0) opts.confirmable?.(project.environments[env]!);
  if (names === null) return { ...base, functions: null, plan: null, budget: aws?.budget.report() ?? null };
  progress.status(
    `${mode === 'deploy' ? 'deploying' : mode === 'dry-run' ? 'dry run: planning' : 'planning'} ${targets.length} function${targets.length === 1 ? '' : 's'} in ${env}`,
  );

  const connected = await clients();
  const store = new ArtifactStore(connected.s3, project.artifacts.bucket, project.artifacts.prefix);
  await requireVersionedBucket(store, project.environments[env]!, project.artifacts.prefix);
  const deps = new DependencyBuilder(loaded.workspace, dockerClient, { signal: opts.signal });
  const layerTasks = new Map<string, TaskProgress>();
  const layerReport = (layer: string, m: string) => {
    let task = layerTasks.get(layer);
    if (!task) {
      task = progress.start(`layer ${layer}`);
      layerTasks.set(layer, task);
    }
    task.report(m);
  };
  const planner = new SharedLayerPlanner(project, {
    ws: loaded.workspace,
    lambda: connected.lambda,
    store,
    deps,
    sourceVersion: version,
    report: layerReport,
  });
  const run: Run = {
    ws: loaded.workspace,
    aws: connected,
    store,
    timing: DEFAULT_TIMING,
    sourceVersion: version,
    progress,
    signal: opts.signal,
    planning: {
      deps,
      planner,
      buildSlots: new Slots(availableParallelism()),
      strategy,
      abort: opts.abort,
      codeStorage: project.environments[env]!.codeStorage,
      releaseFollows: mode === 'deploy',
    },
    publisher: new LayerPublisher(connected.lambda, {
      bucket: store.bucket,
      sourceVersion: version,
      timing: DEFAULT_TIMING,
      saved: false,
      codeStorage: project.environments[env]!.codeStorage,
      report: layerReport,
    }),
    saved: false,
  };
  await deps.removeLeftovers();
  const e = project.environments[env]!;
  const sharedLayer = sharedLayerOf(run, planner);
  const pool = (work: (r: ResolvedFunction) => Promise<Staged>) =>
    runPool(targets, opts.concurrency, work, {
      stopWhen: (s) => (opts.failFast && s.result.status === 'FAILED') || opts.signal?.aborted === true,
      notStarted: (r) => notStarted(r, run, opts.signal),
    });
  let staged: Staged[];
  if (mode === 'deploy' && !e.confirm) {
    // Nothing waits for the whole plan: each function goes from its plan to its release.
    staged = await pool(async (r) => {
      const s = await planStage(run, r);
      await pushStage(run, s);
      await applyStage(run, s, sharedLayer);
      await afterRelease(project, run, s, e.prune ?? null);
      return finish(progress, s);
    });
  } else {
    staged = await pool((r) => planStage(run, r));
    if (mode !== 'deploy')
      await runPool(staged, opts.concurrency, (s) => forecastPruneOf(project, run, s, e.prune ?? null));
    const plans = staged.flatMap((s) => (s.plan ? [s.plan] : []));
    const changing = plans.filter(writes);
    if (mode !== 'dry-run' && changing.length > 0) {
      if (mode === 'deploy')
        await opts.confirm?.(
          e,
          `Deploy ${changing.length === 1 ? changing[0]!.name : `${changing.length} functions`} (${version}) to ${env}, moving alias ${e.alias}? (${summaryOf(plans, planner, env, version)})`,
        );
      await runPool(staged, opts.concurrency, (s) => pushStage(run, s));
    }
    if (mode === 'deploy')
      await runPool(staged, opts.concurrency, async (s) => {
        await applyStage(run, s, sharedLayer);
        await afterRelease(project, run, s, e.prune ?? null);
      });
    for (const s of staged) finish(progress, s);
  }
  const functions = staged.map((s) => s.result);
  const plan = releasePlan(loaded, run, planner, staged, {
    env,
    strategy: strategy.name,
    commit: await head.catch(() => null),
  });
  const layers = layerResults(planner, run.publisher, plan, mode);
  for (const l of layers)
    if (layerTasks.has(l.name))
      progress.finish(
        `layer ${l.name}`,
        l.status === 'FAILED' ? 'failed' : 'done',
        `${l.status}${l.version ? ` version ${l.version}` : ''}`,
      );
  if (mode === 'plan-out') {
    const problems = functions.filter((f) => f.status === 'FAILED' && !(f.cause instanceof LiveConfigError));
    if (problems.length === 0) await writePlanFile(opts.planOut!, plan);
  }
  let slack: SlackOutcome | null = null;
  if (
    mode === 'deploy' &&
    functions.some((r) => r.status === 'PUBLISHED' || r.status === 'FAILED') &&
    opts.environ[project.notify.slackWebhookEnv]
  ) {
    slack = await notifySlack(project.notify.slackWebhookEnv, opts.environ, {
      env,
      sourceVersion: version,
      results: functions,
    });
  }
  return { ...base, functions, slack, layers, plan, budget: connected.budget.report() };
}

/** The plan value of the run: what was decided for every function that could be planned. */
function releasePlan(
  loaded: LoadedProject,
  run: Run,
  planner: SharedLayerPlanner,
  staged: Staged[],
  { env, strategy, commit }: { env: string; strategy: string; commit: string | null },
): ReleasePlan {
  const functions = staged.flatMap((s) => (s.plan ? [s.plan] : []));
  const layers = planner.plans().map((l) => ({
    ...l,
    functions: functions.filter((f) => writes(f) && f.sharedLayers.some((x) => x.name === l.name)).map((f) => f.name),
  }));
  return {
    kind: PLAN_KIND,
    schemaVersion: PLAN_SCHEMA_VERSION,
    lci: lciVersion(),
    env,
    sourceVersion: run.sourceVersion,
    commit,
    configDigest: configDigest(loaded.source.text),
    createdAt: new Date().toISOString(),
    region: run.aws.region,
    bucket: run.store.bucket,
    strategy,
    codeStorage: run.planning!.codeStorage,
    layers,
    functions,
  };
}

function summaryOf(plans: FunctionPlan[], planner: SharedLayerPlanner, env: string, version: string): string {
  return planSummary({ env, sourceVersion: version, functions: plans, layers: planner.plans() } as ReleasePlan);
}

/** A shared layer's exact ARN while applying: found by the plan, or published once for the run. */
function sharedLayerOf(run: Run, planner: SharedLayerPlanner): (name: string) => Promise<string> {
  return async (name) => {
    const plan = planner.plans().find((l) => l.name === name)!;
    return (await run.publisher.shared(plan, plan.functions[0] ?? plan.awsName)).arn;
  };
}

function finish(progress: ProgressSink, s: Staged): Staged {
  const r = s.result;
  progress.finish(
    s.name,
    r.status === 'FAILED' ? 'failed' : 'done',
    `${r.status}${r.version ? ` version ${r.version}` : ''}`,
  );
  return s;
}

function notStarted(r: ResolvedFunction, run: Run, signal: AbortSignal | undefined): Staged {
  const why = signal?.aborted ? 'interrupted' : '--fail-fast';
  run.progress.finish(r.name, 'skipped', `not started (${why})`);
  return {
    name: r.name,
    task: NO_PROGRESS,
    plan: null,
    result: startingResult(r, run.aws.region, `not started (${why})`),
  };
}

async function writePlanFile(path: string, plan: ReleasePlan): Promise<void> {
  await writeFile(path, serializePlan(plan), { mode: 0o644 });
}

function dirtyRefusal(dirty: DirtyInputs): string {
  const parts = [...dirty.byFunction].map(
    ([name, paths]) =>
      `${name} (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? `, +${paths.length - 3} more` : ''})`,
  );
  return `uncommitted changes under the inputs of ${parts.join('; ')}: commit them (a deploy ships what a commit holds), or pass --allow-dirty to deploy the work tree as <sha>-dirty-${dirty.hash}`;
}
