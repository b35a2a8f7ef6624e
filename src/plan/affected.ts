import { posix } from 'node:path';
import { globRule, lockfileRule, pathRule, treeRule, type InputRule } from './rules.js';
import { excludedFromPackage } from '../package/excludes.js';
import { ALL, InputIndex, type Target } from './matcher.js';
import type { LocalDependency } from './local-deps.js';
import type { ResolvedFunction } from '../config/types.js';
import { repoPath } from '../config/globs.js';
import { MAX_REASONS, type Reason } from './types.js';

/** The inputs of one function in one environment, as rules on repository-relative paths. Pure. */
export function functionRules(r: ResolvedFunction, configDirInRepo: string, localDeps: LocalDependency[]): InputRule[] {
  const root = repoPath(configDirInRepo, r.path) ?? '';
  const rules: InputRule[] = [pathRule(root, excludedFromPackage(r), `${r.family}:${r.exclude.join(',')}`)];
  if (r.descriptor) {
    const descriptor = descriptorPath(r, configDirInRepo);
    rules.push(treeRule('descriptor', descriptor), lockfileRule(descriptor, r.family));
  }
  for (const g of r.watch) rules.push(globRule('watch', configDirInRepo, g));
  for (const dep of localDeps) rules.push(treeRule('local-dependency', dep.path, dep.via));
  return rules;
}

export function descriptorPath(r: ResolvedFunction, configDirInRepo: string): string {
  return repoPath(configDirInRepo, posix.join(r.path, r.descriptor ?? '')) ?? '';
}

export interface Matches {
  /** Per function: reasons (capped) and how many paths matched in all. */
  own: Map<string, { reasons: Reason[]; paths: Set<string>; count: number }>;
  shared: { reasons: Reason[]; paths: Set<string>; count: number };
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
  const own: Matches['own'] = new Map();
  const shared: Matches['shared'] = { reasons: [], paths: new Set(), count: 0 };
  for (const path of changed) {
    if (ignore.has(path)) continue;
    for (const [target, rule] of index.match(path)) {
      const reason = toReason(path, rule);
      if (target === ALL) {
        shared.count++;
        shared.paths.add(path);
        if (shared.reasons.length < MAX_REASONS) shared.reasons.push(reason);
        continue;
      }
      let m = own.get(target);
      if (!m) own.set(target, (m = { reasons: [], paths: new Set(), count: 0 }));
      m.count++;
      m.paths.add(path);
      if (m.reasons.length < MAX_REASONS) m.reasons.push(reason);
    }
  }
  return { own, shared };
}

/** A function's reasons: its own matches, then shared ones for paths it did not match itself. */
export function reasonsFor(name: string, matches: Matches): { reasons: Reason[]; count: number } {
  const mine = matches.own.get(name);
  if (!mine) return { reasons: matches.shared.reasons.slice(), count: matches.shared.count };
  let overlap = 0;
  for (const p of mine.paths) if (matches.shared.paths.has(p)) overlap++;
  const reasons = mine.reasons.slice();
  for (const r of matches.shared.reasons) {
    if (reasons.length >= MAX_REASONS) break;
    if (!mine.paths.has(r.path!)) reasons.push(r);
  }
  return { reasons, count: mine.count + matches.shared.count - overlap };
}

function toReason(path: string, rule: InputRule): Reason {
  return { path, rule: rule.kind, pattern: rule.pattern, ...(rule.via ? { via: rule.via } : {}) };
}

export type { Target };
