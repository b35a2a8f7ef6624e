import type { RuleKind } from '../inputs/rules.js';

export type ReasonRule =
  | RuleKind
  | 'config'
  | 'new'
  | 'removed'
  | 'base-unavailable'
  | 'all'
  | 'never-deployed'
  | 'dirty-deployed';

export interface Reason {
  /** The changed path (repository-relative), or null for reasons that are not about one path. */
  path: string | null;
  rule: ReasonRule;
  /** The glob, path or descriptor the path matched. */
  pattern?: string;
  /** For local dependencies: the descriptor that names the dependency. */
  via?: string;
  /** For `layer`: the shared layer whose input changed. */
  layer?: string;
  /** Words for reasons that are not a path match. */
  detail?: string;
}

export interface FunctionPlan {
  name: string;
  /** AWS function name in the planned environment (only with --env). */
  awsName?: string;
  affected: boolean;
  removed?: true;
  /** With --since deployed: the source version this function was compared from. */
  base?: string;
  /** At most MAX_REASONS reasons; reasonCount says how many there were. */
  reasons: Reason[];
  reasonCount: number;
}

export interface PlanResult {
  base: string | null;
  /** Where the base came from: --base, LCI_BASE, CODEBUILD_WEBHOOK_PREV_COMMIT, ... */
  baseFrom: string | null;
  head: string | null;
  /** The merge-base of base and head: changed paths are counted from it. */
  mergeBase: string | null;
  env: string | null;
  /** Number of changed paths between base and head. */
  changedPaths: number;
  functions: FunctionPlan[];
  /** The shared layers: affected when their inputs or configuration changed (their functions then are, by rule `layer` or `config`). */
  layers: LayerPlan[];
}

export interface LayerPlan {
  name: string;
  /** AWS layer name in the planned environment (only with --env). */
  awsName?: string;
  affected: boolean;
  reasons: Reason[];
  reasonCount: number;
}

export const MAX_REASONS = 20;
