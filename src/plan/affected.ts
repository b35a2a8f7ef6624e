import type { ResolvedFunction } from '../config/types.js';
import { ALL, InputIndex, type Target } from '../inputs/matcher.js';
import type { InputRule } from '../inputs/rules.js';
import type { ConfigDiff } from './config-diff.js';
import { MAX_REASONS, type FunctionPlan, type LayerPlan, type Reason } from './types.js';

/**
 * The affected decision, pure: changed paths and configuration differences in, one plan entry
 * per function out. Tests drive it without git; plan.ts gathers its inputs.
 */

interface Tally {
  /** The first MAX_REASONS reasons. */
  reasons: Reason[];
  /** Paths matched in all. */
  count: number;
  /** Of those, paths that also matched a shared glob (counted once in the total). */
  alsoShared: number;
}

export interface Matches {
  own: Map<string, Tally>;
  shared: Tally;
}

/**
 * Matches changed paths against every function's rules and the shared globs.
 * `ignore` is left out (the config file: its changes are judged by comparing configurations).
 */
export function matchChanges(changed: string[], rulesByFunction: Map<string, InputRule[]>, sharedRules: InputRule[], ignore: Set<string>): Matches {
  const index = new InputIndex();
  for (const [name, rules] of rulesByFunction) for (const rule of rules) index.add(rule, name);
  for (const rule of sharedRules) index.add(rule, ALL);
  const own = new Map<string, Tally>();
  const shared: Tally = { reasons: [], count: 0, alsoShared: 0 };
  // One visitor and two reused arrays for all paths: this loop runs for every changed path.
  let path = '';
  let isShared = false;
  const hitTargets: string[] = [];
  const hitRules: InputRule[] = [];
  const visit = (target: Target, rule: InputRule) => {
    if (target === ALL) {
      isShared = true;
      shared.count++;
      if (shared.reasons.length < MAX_REASONS) shared.reasons.push(toReason(path, rule));
    } else {
      hitTargets.push(target);
      hitRules.push(rule);
    }
  };
  for (path of changed) {
    if (ignore.has(path)) continue;
    isShared = false;
    hitTargets.length = 0;
    hitRules.length = 0;
    index.match(path, visit);
    for (let i = 0; i < hitTargets.length; i++) {
      let tally = own.get(hitTargets[i]!);
      if (!tally) {
        tally = { reasons: [], count: 0, alsoShared: 0 };
        own.set(hitTargets[i]!, tally);
      }
      tally.count++;
      if (isShared) tally.alsoShared++;
      if (tally.reasons.length < MAX_REASONS) tally.reasons.push(toReason(path, hitRules[i]!));
    }
  }
  return { own, shared };
}

/** A function's reasons: its own matches, then shared ones for paths it did not match itself. */
export function reasonsFor(name: string, matches: Matches): { reasons: Reason[]; count: number } {
  const mine = matches.own.get(name);
  if (!mine) return { reasons: matches.shared.reasons.slice(), count: matches.shared.count };
  const reasons = mine.reasons.slice();
  for (const r of matches.shared.reasons) {
    if (reasons.length >= MAX_REASONS) break;
    if (!mine.reasons.some((m) => m.path === r.path)) reasons.push(r);
  }
  return { reasons, count: mine.count + matches.shared.count - mine.alsoShared };
}

function toReason(path: string, rule: InputRule): Reason {
  return { path, rule: rule.kind, pattern: rule.pattern, ...(rule.via ? { via: rule.via } : {}), ...(rule.layer ? { layer: rule.layer } : {}) };
}

/** Each shared layer: affected by a change to its own inputs (their rules as a function's), or to its configuration. Pure. */
export function affectedLayers(
  layers: Map<string, { awsName?: string; rules: InputRule[] }>,
  changed: string[],
  ignore: Set<string>,
  configInRepo: string,
  diff: ConfigDiff | null,
  problem: string | null,
): LayerPlan[] {
  const matches = matchChanges(changed, new Map([...layers].map(([name, l]) => [name, l.rules])), [], ignore);
  return [...layers].map(([name, l]) => {
    const mine = matches.own.get(name);
    const reasons = mine?.reasons.slice() ?? [];
    let count = mine?.count ?? 0;
    const config: Reason | null = problem
      ? { path: configInRepo, rule: 'config', detail: problem }
      : diff?.layersAdded.includes(name)
        ? { path: configInRepo, rule: 'new' }
        : diff?.layersChanged.includes(name)
          ? { path: configInRepo, rule: 'config' }
          : null;
    if (config) {
      reasons.unshift(config);
      count++;
    }
    return { name, ...(l.awsName !== undefined ? { awsName: l.awsName } : {}), affected: reasons.length > 0, reasons, reasonCount: count };
  });
}

export interface AffectedInput {
  /** Functions in play with their resolved configuration per environment. */
  selected: Map<string, ResolvedFunction[]>;
  rules: Map<string, InputRule[]>;
  shared: InputRule[];
  changed: string[];
  /** Repository path of the config file (judged by comparing configurations, not as a path). */
  configInRepo: string;
  /** Paths left out of matching: the config file, unless it is also a descriptor (package.json). */
  ignore: Set<string>;
  configDiff: ConfigDiff | null;
  /** Set when the base's configuration cannot be read: then every function's configuration counts as changed. */
  baseConfigProblem: string | null;
  env: string | undefined;
}

export function affectedFunctions(input: AffectedInput): FunctionPlan[] {
  const matches = matchChanges(input.changed, input.rules, input.shared, input.ignore);
  const functions: FunctionPlan[] = [];
  for (const [name, envs] of input.selected) {
    const { reasons, count } = reasonsFor(name, matches);
    const extra = configReason(name, input.configInRepo, input.configDiff, input.baseConfigProblem);
    if (extra) reasons.unshift(extra);
    functions.push({ name, ...awsName(envs, input.env), affected: reasons.length > 0, reasons, reasonCount: count + (extra ? 1 : 0) });
  }
  for (const name of input.configDiff?.removed ?? []) {
    functions.push({ name, affected: false, removed: true, reasons: [{ path: input.configInRepo, rule: 'removed' }], reasonCount: 1 });
  }
  return functions;
}

/** Every selected function, for one reason (--all, a base that cannot be compared with). */
export function everyFunction(selected: Map<string, ResolvedFunction[]>, env: string | undefined, reason: Reason): FunctionPlan[] {
  return [...selected].map(([name, envs]) => ({ name, ...awsName(envs, env), affected: true, reasons: [reason], reasonCount: 1 }));
}

function awsName(envs: ResolvedFunction[], env: string | undefined): { awsName?: string } {
  return env !== undefined && envs[0] ? { awsName: envs[0].functionName } : {};
}

function configReason(name: string, configInRepo: string, diff: ConfigDiff | null, problem: string | null): Reason | null {
  if (problem) return { path: configInRepo, rule: 'config', detail: problem };
  if (diff?.added.includes(name)) return { path: configInRepo, rule: 'new' };
  if (diff?.changed.includes(name)) return { path: configInRepo, rule: 'config' };
  return null;
}
