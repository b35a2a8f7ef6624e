import { ArtifactStore } from '../aws/artifact-store.js';
import { connect, type AwsOptions } from '../aws/clients.js';
import { DEFAULT_TIMING } from '../aws/lambda.js';
import { DependencyBuilder } from '../builder/dependency-builder.js';
import { dockerClient } from '../builder/docker.js';
import type { LoadedProject } from '../config/load.js';
import type { Environment } from '../config/types.js';
import { requireEnvironment, selectTargets } from '../config/select.js';
import { autoEnvironment, sourceVersion } from '../deploy/ci-env.js';
import { deployFunction, startingResult, type FunctionDeployResult } from '../deploy/deploy-function.js';
import { releaseDecision } from '../deploy/release-gate.js';
import { parseStrategy } from '../deploy/strategy.js';
import { UsageError } from '../errors.js';
import { dirtyInputs, dirtySourceVersion, type DirtyInputs } from '../plan/dirty.js';
import { notifySlack, type SlackOutcome } from '../notify/slack.js';
import { runPool } from '../pool.js';
import { resolveCommit, tagsPointingAt } from '../vcs/git.js';
import type { ProgressSink, TaskProgress } from '../progress.js';
import { SharedLayers, type SharedLayerResult } from '../deploy/shared-layers.js';
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
}

/** lci deploy: build, push to S3 and release on Lambda, per function; unchanged functions are left alone. */
export async function deploy(loaded: LoadedProject, opts: DeployOptions, progress: ProgressSink): Promise<DeployResult> {
  const { project } = loaded;
  const env = opts.env === 'auto' ? autoEnvironment(project, opts.environ) : opts.env;
  requireEnvironment(project, env);
  const strategy = parseStrategy(opts.strategy ?? project.environments[env]!.strategy ?? 'all-at-once');
  let version = await sourceVersion(opts.sourceVersion, opts.environ, loaded.inRepo ? loaded.root : null);
  if (opts.onlyMatchingRef) {
    if (!loaded.inRepo) throw new UsageError('--only-matching-ref needs a git checkout: it reads the tags of the commit');
    const tags = await tagsPointingAt(loaded.root, version);
    const decision = releaseDecision(project.environments[env]!, { commit: version, branch: opts.onlyMatchingRef.branch, tags });
    if (!decision.release)
      return {
        env,
        sourceVersion: version,
        strategy: strategy.name,
        dryRun: opts.dryRun,
        slack: null,
        nothingToRelease: decision.reason,
        functions: null,
        layers: [],
      };
  }
  const names = await selectAffected(loaded, opts.names, opts.affected, env);
  const targets = names === null ? [] : selectTargets(project, names, env);
  const dirty = await dirtyInputs(loaded, targets);
  if (dirty) {
    if (!opts.allowDirty) throw new UsageError(dirtyRefusal(dirty));
    // Only the commit's own name is never borrowed: an explicit release name stays as given.
    const head = loaded.inRepo ? await resolveCommit(loaded.root, 'HEAD') : null;
    if (opts.sourceVersion === undefined || version === head) version = dirtySourceVersion(head ?? version, dirty.hash);
  }
  const base = { env, sourceVersion: version, strategy: strategy.name, dryRun: opts.dryRun, slack: null, nothingToRelease: null, layers: [] };
  if (names === null) return { ...base, functions: null };
  if (!opts.dryRun && targets.length > 0) {
    const e = project.environments[env]!;
    await opts.confirm?.(
      e,
      `Deploy ${targets.length === 1 ? targets[0]!.name : `${targets.length} functions`} (${version}) to ${env}, moving alias ${e.alias}?`,
    );
  }
  const aws = await connect(opts.aws, project.artifacts.region);
  const store = new ArtifactStore(aws.s3, project.artifacts.bucket, project.artifacts.prefix);
  const deps = new DependencyBuilder(loaded.workspace, dockerClient, { signal: opts.signal });
  const layerTasks = new Map<string, TaskProgress>();
  const shared = new SharedLayers(project, {
    ws: loaded.workspace,
    aws,
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
    aws,
    store,
    deps,
    shared,
    timing: DEFAULT_TIMING,
    sourceVersion: version,
    strategy,
    dryRun: opts.dryRun,
    abortUnfinished: opts.abort,
    signal: opts.signal,
  };
  await ctx.deps.removeLeftovers();
  const functions = await runPool(
    targets,
    opts.concurrency,
    async (r) => {
      const result = await deployFunction(r, ctx, progress.start(r.name));
      progress.finish(r.name, result.status === 'FAILED' ? 'failed' : 'done', `${result.status}${result.version ? ` version ${result.version}` : ''}`);
      return result;
    },
    {
      stopWhen: (res) => (opts.failFast && res.status === 'FAILED') || opts.signal?.aborted === true,
      notStarted: (r) => {
        const why = opts.signal?.aborted ? 'interrupted' : '--fail-fast';
        progress.finish(r.name, 'skipped', `not started (${why})`);
        return startingResult(r, aws.region, `not started (${why})`);
      },
    },
  );
  const layers = shared.summary();
  for (const l of layers)
    if (layerTasks.has(l.name))
      progress.finish(`layer ${l.name}`, l.status === 'FAILED' ? 'failed' : 'done', `${l.status}${l.version ? ` version ${l.version}` : ''}`);
  let slack: SlackOutcome | null = null;
  if (!opts.dryRun && functions.some((r) => r.status === 'PUBLISHED' || r.status === 'FAILED') && opts.environ[project.notify.slackWebhookEnv]) {
    slack = await notifySlack(project.notify.slackWebhookEnv, opts.environ, { env, sourceVersion: version, results: functions });
  }
  return { ...base, functions, slack, layers };
}

function dirtyRefusal(dirty: DirtyInputs): string {
  const parts = [...dirty.byFunction].map(
    ([name, paths]) => `${name} (${paths.slice(0, 3).join(', ')}${paths.length > 3 ? `, +${paths.length - 3} more` : ''})`,
  );
  return `uncommitted changes under the inputs of ${parts.join('; ')}: commit them (a deploy ships what a commit holds), or pass --allow-dirty to deploy the work tree as <sha>-dirty-${dirty.hash}`;
}

export function requireEnv(env: string | undefined): string {
  if (!env) throw new UsageError('deploy needs --env NAME (or --env auto in CI)');
  return env;
}
