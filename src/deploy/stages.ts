import type { ArtifactStore } from '../aws/artifact-store.js';
import type { AwsClients } from '../aws/clients.js';
import { readServing, type Timing } from '../aws/lambda.js';
import { packageCode, type CodePackage } from '../artifacts/code-package.js';
import { Pusher } from '../artifacts/push.js';
import type { DependencyBuilder, IdentifiedDependencies } from '../builder/dependency-builder.js';
import type { CodeStorage, ResolvedFunction, Workspace } from '../config/types.js';
import { LiveConfigError } from '../errors.js';
import type { Slots } from '../pool.js';
import type { ProgressSink, TaskProgress } from '../progress.js';
import { applyFunction } from '../release/apply.js';
import { recordedZip } from '../release/layer-record.js';
import type { Desired } from '../release/decide.js';
import { writes, type FunctionPlan } from '../release/plan.js';
import type { LayerPublisher } from '../release/publish-layers.js';
import { planFunction } from '../release/read.js';
import { appliedResult, plannedResult, startingResult, type FunctionDeployResult } from '../release/result.js';
import type { SharedLayerPlanner } from '../release/shared-layers.js';
import { plannedSmoke } from '../release/smoke-events.js';
import type { Strategy } from '../release/strategy.js';

/** What every stage of one run shares. */
export interface Run {
  ws: Workspace;
  aws: AwsClients;
  store: ArtifactStore;
  timing: Timing;
  sourceVersion: string;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** Planning only (deploy): packaging, dependency builds, the shared layers' lookups and uploads. */
  planning?: {
    deps: DependencyBuilder;
    planner: SharedLayerPlanner;
    buildSlots: Slots;
    strategy: Strategy;
    abort: boolean;
    /** The environment's codeStorage. */
    codeStorage: CodeStorage;
    /** A release follows the push in this run (not --plan-out): it waits for the copy to latest/ before publishing. */
    releaseFollows: boolean;
  };
  publisher: LayerPublisher;
  /** Applying a saved plan: a precondition from it that fails means the world moved (exit 2). */
  saved: boolean;
}

/** One function through the stages: its plan, what packaging it made, its result so far. */
export interface Staged {
  name: string;
  task: TaskProgress;
  plan: FunctionPlan | null;
  result: FunctionDeployResult;
  r?: ResolvedFunction;
  pkg?: CodePackage;
  dependencies?: IdentifiedDependencies | null;
  /** The function's S3 half (the push stage's): the release waits for its copy to latest/ before publishing. */
  push?: Pusher;
}

/**
 * The plan of one function: GetFunction of its alias first (it waits for the request budget
 * while the files are read), then the code fingerprint, the dependency key and the shared
 * layers' keys, then exactly the reads the decision asks for. Never throws: a failure is a
 * FAILED result that says why, and no plan.
 */
export async function planStage(run: Run, r: ResolvedFunction): Promise<Staged> {
  const p = run.planning!;
  const task = run.progress.start(r.name);
  const staged: Staged = { name: r.name, task, plan: null, result: startingResult(r, run.aws.region), r };
  const report = (m: string, detail?: boolean) => task.report(m, detail);
  try {
    task.phase('build');
    const serving = readServing(run.aws.lambda, r.functionName, r.alias);
    serving.catch(() => {}); // awaited by the plan
    report('reading code');
    const pkg = await packageCode(r, run.ws, { builder: p.deps, report });
    staged.pkg = pkg;
    staged.dependencies = await p.deps.identify(r);
    const desired: Desired = {
      name: r.name,
      env: r.env,
      awsName: r.functionName,
      alias: r.alias,
      layerName: r.layerName,
      runtime: r.runtime,
      architecture: r.architecture,
      handler: r.handler,
      descriptorPath: r.descriptorPath,
      fingerprint: pkg.fingerprint,
      depsKey: staged.dependencies?.key ?? null,
      shared: await p.planner.wanted(r),
      managed: p.planner.managed(r.env),
      sourceVersion: run.sourceVersion,
      strategy: p.strategy,
      alarms: r.alarms,
      smoke: r.smoke.length > 0 ? plannedSmoke(r, run.ws.root) : [],
      abort: p.abort,
      codeStorage: p.codeStorage,
    };
    report('reading Lambda');
    const plan = await planFunction(
      desired,
      serving,
      async () => {
        report('packaging code');
        const z = await pkg.zip();
        staged.result.code.zip = z.reused ? 'reused' : z.sameAs ? 'shared' : 'written';
        return z.sha256;
      },
      { lambda: run.aws.lambda, timing: run.timing, sharedVersions: () => p.planner.versions(r), report },
    );
    staged.plan = plan;
    const zip = staged.result.code.zip;
    staged.result = plannedResult(plan, run.aws.region);
    staged.result.code.zip = zip;
    if (plan.action === 'REFUSED') {
      const [headline, ...details] = plan.refused.join('\n').split('\n');
      staged.result.cause = new LiveConfigError(headline!, details);
    }
  } catch (e) {
    fail(staged, e);
  }
  return staged;
}

/**
 * The S3 half: what the plan will publish goes up before anything is released (code and layer
 * side by side; a shared layer once for the run), and the plan records where it is and what it
 * is. Moves nothing that serves.
 */
export async function pushStage(run: Run, s: Staged): Promise<void> {
  const plan = s.plan;
  if (!plan || !writes(plan) || plan.action === 'ABORT' || s.result.status === 'FAILED') return;
  const p = run.planning!;
  const r = s.r!;
  s.task.phase('push');
  const push = new Pusher(run.store, run.ws, r, run.sourceVersion, (m) => s.task.report(m), p.buildSlots);
  s.push = push;
  try {
    const groups = plan.deps.action === 'publish' ? await s.pkg!.groups() : null;
    const [code, layer] = await Promise.allSettled([
      plan.code.update ? push.code(s.pkg!, plan.code.codeSha256) : null,
      groups
        ? push.layer(
            p.deps,
            r,
            s.dependencies!,
            groups,
            (sha) => recordedZip(run.aws.lambda, r.layerName, s.dependencies!.key, sha),
            // Its messages name their own step ('dependency build: …'), beside the upload's.
            (m, detail) => s.task.report(m, detail, ''),
          )
        : null,
    ]);
    if (code.status === 'rejected') throw code.reason;
    if (layer.status === 'rejected') throw layer.reason;
    if (code.value) plan.code.artifact = code.value;
    if (layer.value) {
      const { depsKey: _key, ...artifact } = layer.value;
      plan.deps.artifact = artifact;
    }
    // Shared layers to publish: uploaded once for every function that uses them.
    await Promise.all(
      (plan.layers ?? []).flatMap((slot) =>
        'shared' in slot && slot.arn === null ? [p.planner.upload(slot.shared)] : [],
      ),
    );
    if (!p.releaseFollows) await push.copyToLatest();
  } catch (e) {
    fail(s, e);
  } finally {
    recordWritten(run, s);
  }
}

function recordWritten(run: Run, s: Staged): void {
  if (s.push) s.result.s3 = s.push.written.map((k) => run.store.url(k));
}

/** Carries out the function's plan (see release/apply.ts); a failure is a FAILED result that says why. */
export async function applyStage(run: Run, s: Staged, sharedLayer: (name: string) => Promise<string>): Promise<void> {
  const plan = s.plan;
  if (!plan || !writes(plan) || s.result.status === 'FAILED') return;
  s.task.phase('release');
  try {
    const out = await applyFunction(plan, {
      lambda: run.aws.lambda,
      cloudwatch: run.aws.cloudwatch,
      timing: run.timing,
      bucket: run.store.bucket,
      report: (m) => s.task.report(m),
      signal: run.signal,
      sharedLayer,
      ownLayer: (f) => run.publisher.own(f),
      saved: run.saved,
      ...(s.push ? { copyCode: () => s.push!.copyToLatest() } : {}),
    });
    s.result = appliedResult(s.result, plan, out);
  } catch (e) {
    fail(s, e);
  } finally {
    recordWritten(run, s);
  }
}

function fail(s: Staged, e: unknown): void {
  s.result.status = 'FAILED';
  s.result.error = (e as Error)?.message ?? String(e);
  s.result.cause = e;
}
