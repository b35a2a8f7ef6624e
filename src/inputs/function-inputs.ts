import type { ResolvedFunction, ResolvedLayer } from '../config/types.js';
import type { ReadMany } from '../vcs/readers.js';
import { localDependencies, remembered, type LocalDependency } from '../config/local-deps.js';
import { globTest } from './glob-test.js';
import { BUILD_JUNK } from './build-inputs.js';
import { DEPENDENCY_JUNK, readExcluder } from './dependency-inputs.js';
import { packageFilter } from './package-filter.js';
import {
  globRule,
  inputRule,
  layerRule,
  localDependencyRule,
  lockfileRule,
  pathRule,
  treeRule,
  ruleAnchor,
  type InputRule,
} from './rules.js';

/** The local dependencies of each descriptor a rule set reads: for the layer (runtime), and for a build command (devDependencies too). */
export interface LocalDeps {
  runtime: LocalDependency[];
  build: LocalDependency[];
}

/**
 * A function's inputs as rules on repository-relative paths: its packaged files (every committed
 * file under its path when a build command makes the package), its descriptor and lockfiles, its
 * local path dependencies (with a build command, its devDependencies' too), its watch globs, and
 * the inputs of every shared layer it uses (kind `layer`, naming the layer). Plan matches changes
 * against them; generate turns them into pipeline triggers. Pure.
 */
export function functionRules(
  r: ResolvedFunction,
  configDirInRepo: string,
  localDeps: LocalDependency[],
  more: { build?: LocalDependency[]; layers?: (l: ResolvedLayer) => LocalDeps } = {},
): InputRule[] {
  const rules: InputRule[] = [...subjectRules(r, { runtime: localDeps, build: more.build ?? [] })];
  for (const g of r.watch) rules.push(globRule('watch', configDirInRepo, g));
  for (const l of r.layers)
    for (const rule of layerRules(l, more.layers?.(l) ?? { runtime: [], build: [] }))
      rules.push(layerRule(l.name, rule));
  return rules;
}

/**
 * A shared layer's own inputs: its descriptor, lockfiles and local dependencies, or with a build
 * command everything under its path; what its `exclude` names under its path is none of them.
 */
export function layerRules(l: ResolvedLayer, deps: LocalDeps): InputRule[] {
  const rules: InputRule[] = [];
  const excluded = l.exclude.length > 0 ? globTest(l.exclude, { dot: true }) : () => false;
  if (l.build.command !== null)
    rules.push(...builtRules(l, (rel) => BUILD_JUNK(rel) || excluded(rel), `built:${l.exclude.join(',')}`));
  rules.push(...descriptorRules(l, deps, { root: l.root, globs: l.exclude }));
  return rules;
}

/**
 * What a build command reads under its path: every committed file but `skipped`, or with
 * build.inputs only those they name (the descriptor and its lockfiles are rules of their own).
 */
function builtRules(
  s: Pick<ResolvedFunction, 'root' | 'build'>,
  skipped: (relPath: string) => boolean,
  skipKey: string,
): InputRule[] {
  if (s.build.inputs === null) return [pathRule(s.root, skipped, skipKey)];
  return s.build.inputs.map((g) => inputRule(s.root, g, skipped, skipKey));
}

function subjectRules(r: ResolvedFunction, deps: LocalDeps): InputRule[] {
  const filter = packageFilter(r);
  const path =
    r.build.command !== null
      ? builtRules(r, BUILD_JUNK, 'built')
      : [pathRule(r.root, (rel) => !filter.packaged(rel), `${r.family}:${r.exclude.join(',')}:${r.include.join(',')}`)];
  return [...path, ...descriptorRules(r, deps)];
}

/**
 * The descriptor, its lockfiles and its local dependencies. A file in a local dependency that its
 * build never reads (DEPENDENCY_JUNK, or a shared layer's `exclude`) is not an input: plan matches
 * what the key hashes and the container sees.
 */
function descriptorRules(
  s: Pick<ResolvedFunction, 'descriptorPath' | 'family' | 'build' | 'installDir'>,
  deps: LocalDeps,
  exclude: { root: string; globs: string[] } = { root: '', globs: [] },
): InputRule[] {
  if (s.descriptorPath === null) return [];
  const rules = [treeRule('descriptor', s.descriptorPath), lockfileRule(s.descriptorPath, s.family)];
  const seen = new Set<string>();
  const excluded = readExcluder(exclude);
  const excludeKey = exclude.globs.length > 0 ? `${exclude.root}:${exclude.globs.join(',')}` : '';
  for (const dep of [...deps.runtime, ...(s.build.command !== null ? deps.build : [])]) {
    if (seen.has(dep.path)) continue;
    seen.add(dep.path);
    const prefix = dep.path === '' ? '' : `${dep.path}/`;
    rules.push(
      localDependencyRule(
        dep.path,
        dep.via,
        (rel) => DEPENDENCY_JUNK(rel) || excluded(prefix + rel),
        `junk:${excludeKey}`,
      ),
    );
  }
  return rules;
}

/**
 * Each entry's input rules, the union over its resolved configurations. Functions share
 * descriptors (or a defaulted one per family) and layers: each descriptor is read and parsed
 * once, all at once.
 */
export async function inputRules(
  selected: Map<string, ResolvedFunction[]>,
  configDirInRepo: string,
  read: ReadMany,
): Promise<Map<string, InputRule[]>> {
  const deps = await selectedDeps(selected, read);
  const out = new Map<string, InputRule[]>();
  for (const [name, envs] of selected) out.set(name, unionRules(envs, configDirInRepo, deps));
  return out;
}

/** The local dependencies of every descriptor the selected functions (and their shared layers) name, read at once. */
export function selectedDeps(
  selected: Map<string, ResolvedFunction[]>,
  read: ReadMany,
): Promise<(s: Subject) => LocalDeps> {
  return descriptorDeps(
    [...selected.values()].flatMap((envs) => envs.flatMap((r) => [r, ...r.layers])),
    read,
  );
}

/** One function's input rules, the union over its resolved configurations. */
export function unionRules(
  envs: ResolvedFunction[],
  configDirInRepo: string,
  deps: (s: Subject) => LocalDeps,
): InputRule[] {
  const rules = new Map<string, InputRule>();
  for (const r of envs) {
    const own = deps(r);
    for (const rule of functionRules(r, configDirInRepo, own.runtime, { build: own.build, layers: deps }))
      rules.set(rule.key, rule);
  }
  return [...rules.values()];
}

/**
 * Whether `test` holds for a path a function's input rules are anchored at, at most: each rule of
 * `functionRules` is anchored (ruleAnchor) at one of these paths or below it, so a change can
 * match one of its rules only when it lies under one of them. Plan leaves out the rules of
 * functions no changed path comes near. The code root covers the path and build.inputs rules; the
 * descriptor's directory, the descriptor and its lockfiles; then the local dependencies, the watch
 * globs and each shared layer's own. Pure.
 */
export function someRuleRoot(
  r: ResolvedFunction,
  configDirInRepo: string,
  deps: (s: Subject) => LocalDeps,
  test: (root: string) => boolean,
): boolean {
  if (test(r.root) || someSubjectRoot(r, deps, test)) return true;
  for (const g of r.watch) if (test(ruleAnchor(globRule('watch', configDirInRepo, g)))) return true;
  for (const l of r.layers)
    if ((l.build.command !== null && test(l.root)) || someSubjectRoot(l, deps, test)) return true;
  return false;
}

function someSubjectRoot(s: Subject, deps: (s: Subject) => LocalDeps, test: (root: string) => boolean): boolean {
  if (s.descriptorPath === null) return false;
  // The descriptor's directory, which resolution already holds as the install directory when no workdir moves it.
  const slash = s.descriptorPath.lastIndexOf('/');
  const dir =
    s.build.workdir === null && s.installDir !== null
      ? s.installDir
      : slash < 0
        ? ''
        : s.descriptorPath.slice(0, slash);
  if (test(dir)) return true;
  const own = deps(s);
  for (const d of own.runtime) if (test(d.path)) return true;
  if (s.build.command !== null) for (const d of own.build) if (test(d.path)) return true;
  return false;
}

type Subject = Pick<ResolvedFunction, 'descriptorPath' | 'family' | 'build' | 'installDir'>;

/** The local dependencies of every descriptor the subjects name, read at once; a lookup by subject. */
export async function descriptorDeps(subjects: Subject[], read: ReadMany): Promise<(s: Subject) => LocalDeps> {
  const pending = new Map<string, Promise<LocalDependency[]>>();
  const done = new Map<string, LocalDependency[]>();
  const keyOf = (s: Subject, dev: boolean) => `${s.family}:${s.descriptorPath}:${s.installDir}:${dev}`;
  const ask = (s: Subject, descriptor: string, dev: boolean) => {
    const key = keyOf(s, dev);
    if (done.has(key) || pending.has(key)) return;
    const opts = { dev, cwd: s.installDir };
    // What the checks of this run followed already is known without waiting.
    const known = remembered(s.family, descriptor, read, opts);
    if (known) done.set(key, known);
    else pending.set(key, localDependencies(s.family, descriptor, read, opts));
  };
  for (const s of subjects) {
    if (s.descriptorPath === null) continue;
    ask(s, s.descriptorPath, false);
    if (s.build.command !== null) ask(s, s.descriptorPath, true);
  }
  await Promise.all([...pending].map(async ([key, p]) => done.set(key, await p)));
  const none: LocalDeps = { runtime: [], build: [] };
  // Asked many times per subject (plan: for every function, on every change compared): answered by object.
  const bySubject = new WeakMap<Subject, LocalDeps>();
  return (s) => {
    if (s.descriptorPath === null) return none;
    let deps = bySubject.get(s);
    if (!deps) {
      deps = { runtime: done.get(keyOf(s, false)) ?? [], build: done.get(keyOf(s, true)) ?? [] };
      bySubject.set(s, deps);
    }
    return deps;
  };
}
