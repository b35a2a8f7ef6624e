import { posix } from 'node:path';
import { globRule, lockfileRule, pathRule, treeRule, type InputRule } from './rules.js';
import { packageFilter } from '../package/excludes.js';
import { ALL, InputIndex, type Target } from './matcher.js';
import { localDependencies, type LocalDependency } from './local-deps.js';
import type { ReadMany } from '../vcs/readers.js';
import type { ResolvedFunction } from '../config/types.js';
import { repoPath } from '../config/globs.js';
import { MAX_REASONS, type Reason } from './types.js';

/** The inputs of one function in one environment, as rules on repository-relative paths. Pure. */
export function functionRules(r: ResolvedFunction, configDirInRepo: string, descriptor: string | null, localDeps: LocalDependency[]): InputRule[] {
  const root = repoPath(configDirInRepo, r.path) ?? '';
  const filter = packageFilter(r);
  const rules: InputRule[] = [pathRule(root, (rel) => !filter.packaged(rel), `${r.family}:${r.exclude.join(',')}:${r.include.join(',')}`)];
  if (descriptor !== null) rules.push(treeRule('descriptor', descriptor), lockfileRule(descriptor, r.family));
  for (const g of r.watch) rules.push(globRule('watch', configDirInRepo, g));
  for (const dep of localDeps) rules.push(treeRule('local-dependency', dep.path, dep.via));
  return rules;
}

export function descriptorPath(r: ResolvedFunction, configDirInRepo: string): string {
  return repoPath(configDirInRepo, posix.join(r.path, r.descriptor ?? '')) ?? '';
}

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
export function matchChanges(
  changed: string[],
  rulesByFunction: Map<string, InputRule[]>,
  sharedRules: InputRule[],
  ignore: Set<string>,
): Matches {
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
      if (!tally) own.set(hitTargets[i]!, (tally = { reasons: [], count: 0, alsoShared: 0 }));
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
  return { path, rule: rule.kind, pattern: rule.pattern, ...(rule.via ? { via: rule.via } : {}) };
}

/**
 * Each entry's input rules, the union over its resolved configurations. Functions share
 * descriptors (or a defaulted one per family): each is read and parsed once, all at once.
 */
export async function inputRules(selected: Map<string, ResolvedFunction[]>, configDirInRepo: string, read: ReadMany): Promise<Map<string, InputRule[]>> {
  const descriptors = new Map<ResolvedFunction, string>();
  const depsByDescriptor = new Map<string, Promise<LocalDependency[]>>();
  for (const envs of selected.values()) {
    for (const r of envs) {
      if (!r.descriptor) continue;
      const descriptor = descriptorPath(r, configDirInRepo);
      descriptors.set(r, descriptor);
      const key = `${r.family}:${descriptor}`;
      if (!depsByDescriptor.has(key)) depsByDescriptor.set(key, localDependencies(r.family, descriptor, read));
    }
  }
  const deps = new Map<string, LocalDependency[]>();
  await Promise.all([...depsByDescriptor].map(async ([key, p]) => deps.set(key, await p)));
  const out = new Map<string, InputRule[]>();
  for (const [name, envs] of selected) {
    const rules = new Map<string, InputRule>();
    for (const r of envs) {
      const descriptor = descriptors.get(r) ?? null;
      const localDeps = descriptor === null ? [] : deps.get(`${r.family}:${descriptor}`)!;
      for (const rule of functionRules(r, configDirInRepo, descriptor, localDeps)) rules.set(rule.key, rule);
    }
    out.set(name, [...rules.values()]);
  }
  return out;
}
