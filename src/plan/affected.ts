import type { ResolvedFunction } from '../config/types.js';
import { ALL, bestPerTarget, InputIndex, type MatchedRule, type Target } from '../inputs/matcher.js';
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

/** Reasons as they are found, with the position of their path in `changed` so tallies merge in path order. */
interface Found {
  at: number;
  reason: Reason;
}

interface Running {
  found: Found[];
  count: number;
  alsoShared: number;
}

/**
 * Matches changed paths against every function's rules and the shared globs.
 * `ignore` is left out (the config file: its changes are judged by comparing configurations).
 *
 * A path that matches one rule (nearly all) is tallied on that rule once, and the rule's tally is
 * spread over its functions at the end: a glob that thousands of functions watch would otherwise
 * cost thousands of updates for every changed path it matches.
 */
export function matchChanges(
  changed: string[],
  rulesByFunction: Map<string, InputRule[]>,
  sharedRules: InputRule[],
  ignore: Set<string>,
): Matches {
  const index = new InputIndex();
  for (const [name, rules] of rulesByFunction) for (const rule of rules) index.add(rule, name);
  for (const rule of sharedRules) index.add(rule, ALL);
  const byRule = new Map<MatchedRule, Running>();
  const byTarget = new Map<Target, Running>();
  const note = <K>(tallies: Map<K, Running>, key: K, at: number, rule: InputRule, shared: boolean) => {
    let t = tallies.get(key);
    if (!t) {
      t = { found: [], count: 0, alsoShared: 0 };
      tallies.set(key, t);
    }
    t.count++;
    if (shared) t.alsoShared++;
    if (t.found.length < MAX_REASONS) t.found.push({ at, reason: toReason(changed[at]!, rule) });
  };
  // Several rules matched one path: each function counts it once, under its highest-priority rule.
  let isShared = false;
  const hitTargets: Target[] = [];
  const hitRules: InputRule[] = [];
  const visit = (target: Target, rule: InputRule) => {
    if (target === ALL) isShared = true;
    hitTargets.push(target);
    hitRules.push(rule);
  };
  for (let at = 0; at < changed.length; at++) {
    if (ignore.has(changed[at]!)) continue;
    const matched = index.matching(changed[at]!);
    if (matched.length === 0) continue;
    if (matched.length === 1) {
      note(byRule, matched[0]!, at, matched[0]!.rule, false);
      continue;
    }
    isShared = false;
    hitTargets.length = 0;
    hitRules.length = 0;
    bestPerTarget(matched, visit);
    for (let i = 0; i < hitTargets.length; i++)
      note(byTarget, hitTargets[i]!, at, hitRules[i]!, isShared && hitTargets[i] !== ALL);
  }
  // Spread each rule's tally over its functions; a rule that is also a shared glob makes its paths shared for them.
  const parts = new Map<Target, Running[]>();
  const add = (target: Target, part: Running) => {
    const list = parts.get(target);
    if (list) list.push(part);
    else parts.set(target, [part]);
  };
  for (const [target, part] of byTarget) add(target, part);
  for (const [entry, part] of byRule) {
    const shared = entry.targets.has(ALL);
    for (const target of entry.targets)
      add(target, shared && target !== ALL ? { ...part, alsoShared: part.count } : part);
  }
  const own = new Map<string, Tally>();
  let shared: Tally = { reasons: [], count: 0, alsoShared: 0 };
  for (const [target, list] of parts) {
    const tally = merged(list);
    if (target === ALL) shared = tally;
    else own.set(target, tally);
  }
  return { own, shared };
}

/** One tally of several: counts add up, and the reasons are the first MAX_REASONS in path order. */
function merged(parts: Running[]): Tally {
  if (parts.length === 1)
    return { reasons: parts[0]!.found.map((f) => f.reason), count: parts[0]!.count, alsoShared: parts[0]!.alsoShared };
  const found = parts.flatMap((p) => p.found).sort((x, y) => x.at - y.at);
  return {
    reasons: found.slice(0, MAX_REASONS).map((f) => f.reason),
    count: parts.reduce((n, p) => n + p.count, 0),
    alsoShared: parts.reduce((n, p) => n + p.alsoShared, 0),
  };
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
  return {
    path,
    rule: rule.kind,
    pattern: rule.pattern,
    ...(rule.via ? { via: rule.via } : {}),
    ...(rule.layer ? { layer: rule.layer } : {}),
  };
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
  if (layers.size === 0) return [];
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
    return {
      name,
      ...(l.awsName !== undefined ? { awsName: l.awsName } : {}),
      affected: reasons.length > 0,
      reasons,
      reasonCount: count,
    };
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
    functions.push({
      name,
      ...awsName(envs, input.env),
      affected: reasons.length > 0,
      reasons,
      reasonCount: count + (extra ? 1 : 0),
    });
  }
  for (const name of input.configDiff?.removed ?? []) {
    functions.push({
      name,
      affected: false,
      removed: true,
      reasons: [{ path: input.configInRepo, rule: 'removed' }],
      reasonCount: 1,
    });
  }
  return functions;
}

/** Every selected function, for one reason (--all, a base that cannot be compared with). */
export function everyFunction(
  selected: Map<string, ResolvedFunction[]>,
  env: string | undefined,
  reason: Reason,
): FunctionPlan[] {
  return [...selected].map(([name, envs]) => ({
    name,
    ...awsName(envs, env),
    affected: true,
    reasons: [reason],
    reasonCount: 1,
  }));
}

function awsName(envs: ResolvedFunction[], env: string | undefined): { awsName?: string } {
  return env !== undefined && envs[0] ? { awsName: envs[0].functionName } : {};
}

function configReason(
  name: string,
  configInRepo: string,
  diff: ConfigDiff | null,
  problem: string | null,
): Reason | null {
  if (problem) return { path: configInRepo, rule: 'config', detail: problem };
  if (diff?.added.includes(name)) return { path: configInRepo, rule: 'new' };
  if (diff?.changed.includes(name)) return { path: configInRepo, rule: 'config' };
  return null;
}
