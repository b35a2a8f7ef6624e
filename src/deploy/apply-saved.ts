import { relative, resolve } from 'node:path';
import { ArtifactStore } from '../aws/artifact-store.js';
import { connect, type AwsOptions } from '../aws/clients.js';
import { DEFAULT_TIMING, explain, readServing } from '../aws/lambda.js';
import { isShiftMarked } from '../aws/shift-marker.js';
import { readNamedFile } from '../named-file.js';
import type { LoadedProject } from '../config/load.js';
import { requireEnvironment } from '../config/select.js';
import type { Environment } from '../config/types.js';
import { FunctionMissingError, PlanStaleError, UsageError } from '../errors.js';
import { notifySlack, type SlackOutcome } from '../notify/slack.js';
import { runPool } from '../pool.js';
import { NO_PROGRESS, type ProgressSink } from '../progress.js';
import { planSummary, writes, type FunctionPlan, type ReleasePlan } from '../release/plan.js';
import { configDigest, MAX_PLAN_BYTES, planRefusal } from '../release/plan-file.js';
import { parsePlan } from '../release/plan-parse.js';
import { LayerPublisher } from '../release/publish-layers.js';
import { plannedResult } from '../release/result.js';
import { lciVersion } from '../version.js';
import type { DeployResult } from './deploy.js';
import { shardOf, type Shard } from './shard.js';
import { afterRelease, layerResults } from './after-release.js';
import { applyStage, type Run, type Staged } from './stages.js';

export interface ApplyOptions {
  file: string;
  maxAgeMs: number;
  shard: Shard | null;
  /** Publish the plan's shared layers and nothing else (the first step of a sharded apply). */
  layersOnly: boolean;
  concurrency: number;
  failFast: boolean;
  aws: AwsOptions;
  environ: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
  confirm?: (env: Environment, question: string) => Promise<void>;
  /** Throws before any work when the environment would need a question that cannot be asked (no terminal, no --yes). */
  confirmable?: (env: Environment) => void;
}

/**
 * lci apply FILE: carries out a saved release plan exactly, refused (exit 2) when it is not for
 * this lci or this lambdas.yaml, too old, or when what it read has moved. Only Lambda writes and
 * the smoke/shift/alarm steps: nothing is built or uploaded. Per changed function one GetFunction
 * of the alias first tells whether it moved or the plan was applied already; every write then
 * carries the plan's own preconditions.
 */
export async function applySaved(
  loaded: LoadedProject,
  opts: ApplyOptions,
  progress: ProgressSink,
): Promise<DeployResult> {
  const shown = relative(opts.cwd, resolve(opts.cwd, opts.file)) || opts.file;
  const file = readNamedFile(
    resolve(opts.cwd, opts.file),
    MAX_PLAN_BYTES,
    `lci reads plans of up to ${MAX_PLAN_BYTES} bytes`,
  );
  if (!file.ok)
    throw new UsageError(
      file.kind === 'missing'
        ? `plan file not found: ${shown}; give the file lci deploy --plan-out wrote`
        : `plan file ${shown} ${file.problem}; give the file lci deploy --plan-out wrote`,
    );
  const plan = parsePlan(file.data.toString('utf8'), shown);
  const refusal = planRefusal(plan, {
    lci: lciVersion(),
    configDigest: configDigest(loaded.source.text),
    now: Date.now(),
    maxAgeMs: opts.maxAgeMs,
  });
  if (refusal) throw new PlanStaleError(`${shown}: ${refusal}`);
  const { project } = loaded;
  requireEnvironment(project, plan.env);
  const e = project.environments[plan.env]!;
  if (!opts.layersOnly && plan.functions.some(writes)) opts.confirmable?.(e);
  const aws = await connect(opts.aws, plan.region);
  const store = new ArtifactStore(aws.s3, plan.bucket, project.artifacts.prefix);
  const publisher = new LayerPublisher(aws.lambda, {
    bucket: plan.bucket,
    sourceVersion: plan.sourceVersion,
    timing: DEFAULT_TIMING,
    saved: true,
    codeStorage: plan.codeStorage,
    report: (layer, m) => progress.start(`layer ${layer}`).report(m),
  });
  const run: Run = {
    ws: loaded.workspace,
    aws,
    store,
    timing: DEFAULT_TIMING,
    sourceVersion: plan.sourceVersion,
    progress,
    signal: opts.signal,
    publisher,
    saved: true,
  };
  const sharedLayer = async (name: string) => {
    const l = plan.layers.find((x) => x.name === name)!;
    return (await publisher.shared(l, l.functions[0] ?? l.awsName)).arn;
  };
  const base = {
    env: plan.env,
    sourceVersion: plan.sourceVersion,
    strategy: plan.strategy,
    dryRun: false,
    mode: 'apply' as const,
    shard: opts.shard,
    nothingToRelease: null,
    plan,
  };
  if (opts.layersOnly) {
    for (const l of plan.layers.filter((x) => x.action === 'PUBLISH')) await sharedLayer(l.name);
    return {
      ...base,
      functions: null,
      slack: null,
      layers: layerResults(null, publisher, plan, 'apply'),
      budget: aws.budget.report(),
    };
  }
  const mine = opts.shard
    ? new Set(
        shardOf(
          plan.functions.map((f) => f.name),
          opts.shard,
        ),
      )
    : null;
  const functions = plan.functions.filter((f) => !mine || mine.has(f.name));
  const changing = functions.filter(writes);
  progress.status(`applying the plan to ${plan.env}: ${changing.length} of ${functions.length} functions change`);
  if (changing.length > 0)
    await opts.confirm?.(
      e,
      `Apply the plan to ${plan.env} (${plan.sourceVersion}), moving alias ${e.alias} of ${changing.length === 1 ? changing[0]!.name : `${changing.length} functions`}? (${planSummary(plan)})`,
    );
  const staged = await runPool(
    functions,
    opts.concurrency,
    async (f): Promise<Staged> => {
      const task = writes(f) ? progress.start(f.name) : NO_PROGRESS;
      const s: Staged = { name: f.name, task, plan: f, result: plannedResult(f, aws.region) };
      if (!writes(f)) return s;
      try {
        const now = await stillAsPlanned(run, f);
        if (now === 'applied') {
          s.result = { ...s.result, status: 'APPLIED', calls: [] };
          s.plan = null;
        } else {
          await applyStage(run, s, sharedLayer);
          await afterRelease(project, run, s, e.prune ?? null);
        }
      } catch (err) {
        s.result = { ...s.result, status: 'FAILED', error: (err as Error).message, cause: err };
      }
      progress.finish(
        f.name,
        s.result.status === 'FAILED' ? 'failed' : 'done',
        `${s.result.status}${s.result.version ? ` version ${s.result.version}` : ''}`,
      );
      return s;
    },
    { stopWhen: (s) => (opts.failFast && s.result.status === 'FAILED') || opts.signal?.aborted === true },
  );
  const results = staged.map((s) => s.result);
  let slack: SlackOutcome | null = null;
  if (
    results.some((r) => r.status === 'PUBLISHED' || r.status === 'FAILED') &&
    opts.environ[project.notify.slackWebhookEnv]
  )
    slack = await notifySlack(project.notify.slackWebhookEnv, opts.environ, {
      env: plan.env,
      sourceVersion: plan.sourceVersion,
      results,
    });
  // A shard answers for the shared layers its functions attach; --layers-only published the others.
  const layers = mine ? plan.layers.filter((l) => l.functions.some((f) => mine.has(f))) : plan.layers;
  return {
    ...base,
    functions: results,
    slack,
    layers: layerResults(null, publisher, { ...plan, layers }, 'apply'),
    budget: aws.budget.report(),
  };
}

/**
 * One GetFunction of the alias: 'applied' when it already serves what the plan publishes, else
 * PlanStaleError when it moved (another version, created or deleted since, a shift started or
 * ended), else 'ok'.
 */
async function stillAsPlanned(run: Run, f: FunctionPlan): Promise<'ok' | 'applied'> {
  const serving = await readServing(run.aws.lambda, f.awsName, f.alias).catch((e: unknown) => {
    if (e instanceof FunctionMissingError) throw new PlanStaleError(`${f.awsName} no longer exists: plan again`);
    throw explain(e, `reading ${f.awsName}`);
  });
  const c = serving.config;
  const served = serving.aliasExists ? c.Version : null;
  if (f.action === 'ABORT') {
    if (served === f.putBack!.to && !isShiftMarked(serving.tags, f.alias)) return 'applied';
  } else if (
    served !== null &&
    c.Description === f.description &&
    c.CodeSha256 === f.code.codeSha256 &&
    serving.code.storage === f.code.storage
  )
    return 'applied';
  const planned = f.read.alias?.version ?? null;
  const moved =
    served !== planned
      ? planned === null
        ? `alias ${f.alias} was created since the plan was made (it serves version ${served})`
        : served === null
          ? `alias ${f.alias} was deleted since the plan was made`
          : `alias ${f.alias} moved since the plan was made: it served version ${planned}, it serves ${served} now`
      : isShiftMarked(serving.tags, f.alias) !== f.read.shiftMarked
        ? `a traffic shift of alias ${f.alias} started or ended since the plan was made`
        : null;
  if (moved) throw new PlanStaleError(`${f.name}: ${moved}; nothing of it was released: plan again`);
  return 'ok';
}

export type { ReleasePlan };
