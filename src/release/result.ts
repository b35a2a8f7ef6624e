import { attachedLayerVersion, isLayer, layerLabel } from './layers.js';
import { plannedCalls, type DepsAction, type FunctionPlan } from './plan.js';
import type { ApplyOutcome, UnfinishedAction } from './apply.js';
import type { UnfinishedShift } from './strategy.js';

/** PLANNED: a plan that is not applied (--dry-run, --plan-out). APPLIED: a saved plan found applied already. */
export type DeployStatus = 'PUBLISHED' | 'INTACT' | 'PLANNED' | 'ROLLED_BACK' | 'APPLIED' | 'FAILED';

/** What a run did with one function: the report's row, the JSON's entry, Slack's line. */
export interface FunctionDeployResult {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  status: DeployStatus;
  /** The version the alias points to after this run (before it, for INTACT and PLANNED). */
  version: string | null;
  previousVersion: string | null;
  /** Smoke events the new version passed before its alias moved (null: none ran). */
  smoke: { passed: number } | null;
  /** The alias was found with traffic on two versions (a deploy that did not finish): what this one did about it. */
  unfinished: (UnfinishedShift & { action: UnfinishedAction }) | null;
  layer: { action: DepsAction | null; version: number | null };
  /** The exact shared layer versions it runs with after this run, in order (`name:version`); empty without shared layers. */
  layers: string[];
  /** `zip`: how the code zip was had: written now, reused from `lci build`, copied from a function with the same files, or not needed. */
  code: { action: 'intact' | 'update' | null; sha256: string | null; zip: 'written' | 'reused' | 'shared' | 'none' };
  /** Why the plan decided what it did. */
  reasons: string[];
  /** S3 objects written. */
  s3: string[];
  /** Lambda calls that changed something, or (not applied) that would. */
  calls: string[];
  console: string;
  warnings: string[];
  /** What was pruned after the release (environments.<env>.prune): versions, layer versions, S3 objects. */
  pruned?: { versions: string[]; layerVersions: string[]; s3: string[] };
  error?: string;
  /** The error itself, for --debug and the exit code; not part of the JSON. */
  cause?: unknown;
}

/** A function's result before anything succeeded: FAILED until the run says otherwise. */
export function startingResult(
  r: { name: string; env: string; functionName: string; alias: string },
  region: string,
  error?: string,
): FunctionDeployResult {
  return {
    name: r.name,
    env: r.env,
    awsName: r.functionName,
    alias: r.alias,
    status: 'FAILED',
    version: null,
    previousVersion: null,
    smoke: null,
    unfinished: null,
    layer: { action: null, version: null },
    layers: [],
    code: { action: null, sha256: null, zip: 'none' },
    reasons: [],
    s3: [],
    calls: [],
    console: consoleUrl(region, r.functionName, r.alias),
    warnings: [],
    ...(error === undefined ? {} : { error }),
  };
}

/** The result of a plan that was made, before (or without) applying it. */
export function plannedResult(plan: FunctionPlan, region: string): FunctionDeployResult {
  const base = startingResult({ ...plan, functionName: plan.awsName }, region);
  const served = plan.read.served;
  return {
    ...base,
    status: plan.action === 'INTACT' ? 'INTACT' : plan.action === 'REFUSED' ? 'FAILED' : 'PLANNED',
    version: plan.read.alias?.version ?? (plan.createAlias ? null : served.version),
    reasons: plan.reasons,
    unfinished: plan.unfinished
      ? { ...plan.unfinished, action: plan.action === 'ABORT' ? abortAction(plan) : 'resumed' }
      : null,
    layer: {
      action: plan.action === 'ABORT' ? null : plan.deps.action,
      version:
        plan.deps.version?.version ??
        attachedLayerVersion({ Layers: served.layers.map((Arn) => ({ Arn })) }, plan.deps.layerName),
    },
    layers: servedShared(plan).map(layerLabel),
    code: {
      action:
        plan.action === 'ABORT'
          ? null
          : plan.code.update || served.codeSha256 !== plan.code.codeSha256
            ? 'update'
            : 'intact',
      sha256: plan.code.codeSha256 || null,
      zip: 'none',
    },
    calls: plannedCalls(plan),
    ...(plan.action === 'REFUSED' ? { error: plan.refused.join('\n') } : {}),
  };
}

/** The result once a plan was applied. */
export function appliedResult(
  planned: FunctionDeployResult,
  plan: FunctionPlan,
  out: ApplyOutcome,
): FunctionDeployResult {
  return {
    ...planned,
    status: plan.action === 'ABORT' ? 'ROLLED_BACK' : 'PUBLISHED',
    version: out.version,
    previousVersion: out.previousVersion,
    unfinished: out.unfinished,
    smoke: out.smokePassed > 0 ? { passed: out.smokePassed } : null,
    layer: { ...planned.layer, version: out.layer.version ?? planned.layer.version },
    layers: out.sharedLayers ? out.sharedLayers.map(layerLabel) : planned.layers,
    calls: out.calls,
  };
}

function abortAction(plan: FunctionPlan): UnfinishedAction {
  return plan.putBack?.why === 'aborted' ? 'aborted' : 'rolled-back';
}

/** The shared layers the served version runs with, in order. */
function servedShared(plan: FunctionPlan): string[] {
  return plan.read.served.layers.filter((arn) => plan.sharedLayers.some((l) => isLayer(arn, l.awsName)));
}

export function consoleUrl(region: string, functionName: string, alias: string): string {
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${encodeURIComponent(functionName)}/aliases/${encodeURIComponent(alias)}`;
}
