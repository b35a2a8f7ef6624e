import type { ResolvedFunction } from '../config/types.js';
import type { ReadMany } from '../vcs/readers.js';
import { localDependencies, type LocalDependency } from '../config/local-deps.js';
import { packageFilter } from './package-filter.js';
import { globRule, lockfileRule, pathRule, treeRule, type InputRule } from './rules.js';

/**
 * A function's inputs as rules on repository-relative paths: its packaged files, its descriptor
 * and lockfiles, its local path dependencies and its watch globs. Plan matches changes against
 * them; generate turns them into pipeline triggers. Pure.
 */
export function functionRules(r: ResolvedFunction, configDirInRepo: string, localDeps: LocalDependency[]): InputRule[] {
  const filter = packageFilter(r);
  const rules: InputRule[] = [pathRule(r.root, (rel) => !filter.packaged(rel), `${r.family}:${r.exclude.join(',')}:${r.include.join(',')}`)];
  if (r.descriptorPath !== null) rules.push(treeRule('descriptor', r.descriptorPath), lockfileRule(r.descriptorPath, r.family));
  for (const g of r.watch) rules.push(globRule('watch', configDirInRepo, g));
  for (const dep of localDeps) rules.push(treeRule('local-dependency', dep.path, dep.via));
  return rules;
}

/**
 * Each entry's input rules, the union over its resolved configurations. Functions share
 * descriptors (or a defaulted one per family): each is read and parsed once, all at once.
 */
export async function inputRules(selected: Map<string, ResolvedFunction[]>, configDirInRepo: string, read: ReadMany): Promise<Map<string, InputRule[]>> {
  const depsByDescriptor = new Map<string, Promise<LocalDependency[]>>();
  const keyOf = (r: ResolvedFunction) => `${r.family}:${r.descriptorPath}`;
  for (const envs of selected.values()) {
    for (const r of envs) {
      if (r.descriptorPath === null) continue;
      const key = keyOf(r);
      if (!depsByDescriptor.has(key)) depsByDescriptor.set(key, localDependencies(r.family, r.descriptorPath, read));
    }
  }
  const deps = new Map<string, LocalDependency[]>();
  await Promise.all([...depsByDescriptor].map(async ([key, p]) => deps.set(key, await p)));
  const out = new Map<string, InputRule[]>();
  for (const [name, envs] of selected) {
    const rules = new Map<string, InputRule>();
    for (const r of envs) {
      const localDeps = r.descriptorPath === null ? [] : deps.get(keyOf(r))!;
      for (const rule of functionRules(r, configDirInRepo, localDeps)) rules.set(rule.key, rule);
    }
    out.set(name, [...rules.values()]);
  }
  return out;
}
