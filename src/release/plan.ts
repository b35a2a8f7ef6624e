import type { CodeStorage } from '../config/types.js';
import type { UnfinishedShift } from './strategy.js';

/**
 * A release plan: what lci will do to every selected function of one environment, decided from
 * one snapshot of reads and nothing else. A plain value: `lci deploy --dry-run` prints it,
 * `--plan-out` saves it (after the artifacts it names are uploaded), `lci apply` carries it out
 * exactly, and `lci deploy` makes and applies it in one process. Only decide.ts makes one.
 */
export interface ReleasePlan {
  kind: typeof PLAN_KIND;
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  /** The lci version that made it: another version refuses to apply it. */
  lci: string;
  env: string;
  sourceVersion: string;
  /** The git commit of the checkout the plan was made in (null outside a repository). */
  commit: string | null;
  /** SHA-256 of the configuration text: apply refuses a plan made from another lambdas.yaml. */
  configDigest: string;
  /** ISO time the plan was made: apply refuses a plan older than its maximum age. */
  createdAt: string;
  region: string;
  bucket: string;
  strategy: string;
  /** Where Lambda keeps the code this plan deploys (the environment's codeStorage): the shared layers' too. */
  codeStorage: CodeStorage;
  /** The shared layers some function of the plan must attach by exact version, each published at most once. */
  layers: SharedLayerPlan[];
  functions: FunctionPlan[];
}

export const PLAN_KIND = 'lci-release-plan';
export const PLAN_SCHEMA_VERSION = 1;

/**
 * INTACT: nothing to write. PUBLISH: publish a version and move (or create) the alias. RESUME: an
 * alias a killed deploy left mid-shift: publish (or find) the version and shift on from its step.
 * ABORT: put a stopped shift back on the version it came from. REFUSED: lci will not release it
 * (the reasons say why and how to fix it); nothing of it is written.
 */
export type FunctionAction = 'INTACT' | 'PUBLISH' | 'RESUME' | 'ABORT' | 'REFUSED';

/** What a function's own dependency layer needs (see decide.ts). */
export type DepsAction = 'none' | 'intact' | 'attach' | 'publish' | 'detach';

/**
 * An uploaded zip a write names: where it is and what it must be (Lambda's CodeSha256: base64
 * SHA-256), and on a versioned bucket the object version that holds those bytes: the write pins it,
 * so whatever is written to the key after the plan is never what is applied.
 */
export interface Artifact {
  key: string;
  codeSha256: string;
  bytes: number;
  s3ObjectVersion: string | null;
}

/**
 * A layer in the function's layer list after the release: a layer lci does not manage (kept as it
 * is), a shared layer, or the function's own dependency layer. `arn` null: published when applying.
 */
export type LayerSlot = { arn: string } | { shared: string; arn: string | null } | { own: string; arn: string | null };

/** What was read of the function: the preconditions its writes carry, and what apply checks has not moved. */
export interface FunctionRead {
  /** The function's ARN (tags belong to it), as GetFunction returned it. */
  functionArn: string;
  alias: { version: string; revisionId: string; weights: Record<string, number> } | null;
  /** The configuration of the version the alias serves ($LATEST when there is no alias). */
  served: LiveSettings & { version: string; codeSha256: string; description: string; storage: CodeStorage };
  /** $LATEST, read only for a function that will change: its RevisionId guards the first write. */
  latest: (LiveSettings & { revisionId: string; codeSha256: string; storage: CodeStorage }) | null;
  /** The function carries lci's mark of a traffic shift in progress for this alias. */
  shiftMarked: boolean;
}

export interface LiveSettings {
  runtime: string | null;
  architecture: string;
  handler: string | null;
  layers: string[];
}

/** One function's release. */
export interface FunctionPlan {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  action: FunctionAction;
  /** Why, in words: what changed, or why nothing did. */
  reasons: string[];
  /** REFUSED: one line per problem, each saying how to fix it. */
  refused: string[];
  read: FunctionRead;
  /** storage: where Lambda keeps the code of the version it publishes (copied, or referenced from S3). */
  code: { fingerprint: string; codeSha256: string; update: boolean; artifact: Artifact | null; storage: CodeStorage };
  deps: {
    action: DepsAction;
    layerName: string;
    /** The dependency key (null: no dependencies). */
    key: string | null;
    /** The layer version with the key, when one exists (attach, intact). */
    version: { arn: string; version: number } | null;
    /** The layer zip to publish (publish), once uploaded. */
    artifact: Artifact | null;
    runtime: string;
    architecture: string;
  };
  /** The shared layers it runs with, in order: lambdas.yaml's name and the AWS layer name. */
  sharedLayers: { name: string; awsName: string }[];
  /** Its layer list after the release, or null when the layers stay as they are. */
  layers: LayerSlot[] | null;
  /** The Description of the version to publish (the version record). */
  description: string;
  /** Create the alias (it does not exist) instead of moving it. */
  createAlias: boolean;
  /** The weighted steps before the alias moves whole, each held for holdMs with the alarms watched. */
  steps: { weight: number; holdMs: number }[];
  alarms: string[];
  smoke: PlannedSmoke[];
  /** An alias found with traffic on two versions. */
  unfinished: UnfinishedShift | null;
  /** ABORT: the version the alias goes back to, and why. */
  putBack: { to: string; why: 'aborted' | 'source-served' } | null;
  /**
   * What environments.<env>.prune would delete of the function once this release is applied,
   * forecast by --dry-run and --plan-out for a function they publish (null otherwise, and always
   * in a plain deploy, which prunes as it goes). Applying a saved plan deletes at most these.
   */
  prune: PruneForecast | null;
}

/** Versions, lci's layer versions (`name:version`) and the number of S3 objects prune would delete. */
export interface PruneForecast {
  versions: string[];
  layerVersions: string[];
  s3: number;
}

/** A smoke event, embedded: apply needs no repository to run it. */
export interface PlannedSmoke {
  label: string;
  /** The event, base64. */
  payload: string;
  expect: { value: unknown } | null;
}

export interface SharedLayerPlan {
  name: string;
  awsName: string;
  key: string;
  /** INTACT: a version with the key exists (version, arn). PUBLISH: none does; apply publishes one, once. */
  action: 'INTACT' | 'PUBLISH';
  version: { arn: string; version: number } | null;
  artifact: Artifact | null;
  runtimes: string[];
  architectures: string[];
  /** The functions of the plan that attach it. */
  functions: string[];
}

/** Counts for the one-line summary. */
export function planCounts(plan: Pick<ReleasePlan, 'functions' | 'layers'>): Record<FunctionAction, number> {
  const counts: Record<FunctionAction, number> = { INTACT: 0, PUBLISH: 0, RESUME: 0, ABORT: 0, REFUSED: 0 };
  for (const f of plan.functions) counts[f.action]++;
  return counts;
}

/** `prod @ 3f2a9c1: 3 to publish, 41 intact, 0 refused; shared layer common-py to publish` */
export function planSummary(plan: ReleasePlan): string {
  const c = planCounts(plan);
  const parts = [`${c.PUBLISH} to publish`];
  if (c.RESUME > 0) parts.push(`${c.RESUME} to resume`);
  if (c.ABORT > 0) parts.push(`${c.ABORT} to put back`);
  parts.push(`${c.INTACT} intact`, `${c.REFUSED} refused`);
  const layers = plan.layers.filter((l) => l.action === 'PUBLISH').map((l) => `shared layer ${l.name} to publish`);
  return `${plan.env} @ ${plan.sourceVersion.slice(0, 12)}: ${parts.join(', ')}${layers.length > 0 ? `; ${layers.join(', ')}` : ''}`;
}

/** Whether applying the function writes anything at all. */
export function writes(f: FunctionPlan): boolean {
  return f.action === 'PUBLISH' || f.action === 'RESUME' || f.action === 'ABORT';
}

/** The writes a function's plan will make, in order, in words (a shared layer's publish is listed once, under the layers). */
export function plannedCalls(f: FunctionPlan): string[] {
  if (f.action === 'ABORT') return [`UpdateAlias ${f.alias} → ${f.putBack!.to} (the shift taken back)`];
  if (f.action !== 'PUBLISH' && f.action !== 'RESUME') return [];
  const calls: string[] = [];
  // What a plan still has to upload (a saved plan has uploaded it already).
  if (f.code.update && !f.code.artifact) calls.push('upload app.zip');
  if (f.deps.action === 'publish' && !f.deps.artifact) calls.push('build or reuse deps.zip, upload it');
  if (f.deps.action === 'publish') calls.push(`PublishLayerVersion ${f.deps.layerName}`);
  if (f.layers) calls.push(`UpdateFunctionConfiguration ${f.awsName} (layers)`);
  if (f.code.update) calls.push(`UpdateFunctionCode ${f.awsName}`);
  calls.push(`PublishVersion ${f.awsName}`);
  if (f.smoke.length > 0) calls.push(`Invoke ${f.awsName}:<new version> with ${f.smoke.length} smoke event(s)`);
  if (f.createAlias) calls.push(`CreateAlias ${f.alias}`);
  else {
    for (const s of f.steps)
      calls.push(`UpdateAlias ${f.alias} (${Math.round(s.weight * 1000) / 10}% for ${s.holdMs / 1000} s)`);
    calls.push(`UpdateAlias ${f.alias}`);
  }
  return calls;
}
