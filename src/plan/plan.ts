import { basename, relative } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { projectFromText, toPosix, type LoadedProject } from '../config/load.js';
import { configurationsByFunction } from '../config/select.js';
import type { Project, ResolvedFunction } from '../config/types.js';
import { descriptorDeps, layerRules, someRuleRoot, selectedDeps, unionRules } from '../inputs/function-inputs.js';
import { reachedAnchors } from '../inputs/matcher.js';
import { globRule, type InputRule } from '../inputs/rules.js';
import { coalesced, commitDirs, commitReader, worktreeReader, type ReadMany } from '../vcs/readers.js';
import { affectedFunctions, affectedLayers, everyFunction } from './affected.js';
import { diffConfigs, type ConfigDiff } from './config-diff.js';
import { resolveRevisions, type RevisionsAhead } from './revisions.js';
import type { FunctionPlan, LayerPlan, PlanResult } from './types.js';

export interface PlanOptions {
  base?: string;
  head?: string;
  env?: string;
  all?: boolean;
  environ: NodeJS.ProcessEnv;
  /** The revisions, when they were started before the config loaded (used if the config is in that repository). */
  ahead?: RevisionsAhead;
}

/** Decides which functions of a loaded project a change between two commits touches, and why. */
export async function planProject(loaded: LoadedProject, opts: PlanOptions): Promise<PlanResult> {
  const selected = configurationsByFunction(loaded.project, opts.env);
  const env = opts.env ?? null;
  if (opts.all)
    return {
      base: null,
      baseFrom: null,
      head: null,
      mergeBase: null,
      env,
      changedPaths: 0,
      functions: everyFunction(selected, opts.env, { path: null, rule: 'all', detail: '--all' }),
      layers: [],
    };
  requireRepository(loaded);
  const revs =
    opts.ahead?.root === loaded.root ? await opts.ahead.revisions : await resolveRevisions(loaded.root, opts);
  if (!revs.ok) {
    return {
      base: revs.rev,
      baseFrom: revs.baseFrom,
      head: revs.head,
      mergeBase: null,
      env,
      changedPaths: 0,
      functions: everyFunction(selected, opts.env, { path: null, rule: 'base-unavailable', detail: revs.problem }),
      layers: [],
    };
  }
  const at = await headInputs(loaded, revs.head, revs.checkedOut, opts.env);
  return {
    base: revs.base,
    baseFrom: revs.baseFrom,
    head: revs.head,
    mergeBase: revs.mergeBase,
    env,
    changedPaths: revs.changed.length,
    functions: await at.compare(revs.base, revs.changed),
    layers: await at.compareLayers(revs.base, revs.changed),
  };
}

export function requireRepository(loaded: LoadedProject): void {
  if (!loaded.inRepo)
    throw new UsageError(
      `${loaded.source.displayPath} is not inside a git repository; lci plan compares commits (use --all to select every function)`,
    );
}

/** What a plan compares against at head, computed once however many bases are compared with it. */
export interface HeadInputs {
  project: Project;
  selected: Map<string, ResolvedFunction[]>;
  compare(base: string, changed: string[]): Promise<FunctionPlan[]>;
  /** The shared layers' plan for the same change. */
  compareLayers(base: string, changed: string[]): Promise<LayerPlan[]>;
}

export async function headInputs(
  loaded: LoadedProject,
  head: string,
  checkedOut: string | null,
  env: string | undefined,
): Promise<HeadInputs> {
  const root = loaded.root;
  const worktreeIsHead = head === (checkedOut ?? (await loaded.workspace.head()));
  const read = worktreeIsHead ? (loaded.read ?? worktreeReader(root)) : coalesced(commitReader(root, head));
  const configInRepo = toPosix(relative(root, loaded.project.configFile));
  const headLoaded = worktreeIsHead ? loaded : await loadAtCommit(loaded, read, configInRepo, head);
  const project = headLoaded.project;
  const selected = configurationsByFunction(project, env);
  const rules = await reachableRules(selected, headLoaded.configDirInRepo, read);
  const shared: InputRule[] = project.shared.map((g) => globRule('shared', headLoaded.configDirInRepo, g));
  // A package.json that holds the config is also a descriptor; a dedicated config file is judged only by its contents.
  const ignore = new Set(basename(configInRepo) === 'package.json' ? [] : [configInRepo]);
  const layers = await sharedLayerRules(project, env, read);
  const configs = new Map<string, ReturnType<typeof compareConfigs>>();
  const diff = (base: string, changed: string[]) => {
    if (!changed.includes(configInRepo)) return Promise.resolve({ configDiff: null, baseConfigProblem: null });
    let d = configs.get(base);
    if (!d) {
      d = compareConfigs(loaded, configInRepo, base, project, env);
      configs.set(base, d);
    }
    return d;
  };
  return {
    project,
    selected,
    async compare(base, changed) {
      const { configDiff, baseConfigProblem } = await diff(base, changed);
      return affectedFunctions({
        selected,
        rules: rules(changed),
        shared,
        changed,
        configInRepo,
        ignore,
        configDiff,
        baseConfigProblem,
        env,
      });
    },
    async compareLayers(base, changed) {
      const { configDiff, baseConfigProblem } = await diff(base, changed);
      return affectedLayers(layers, changed, ignore, configInRepo, configDiff, baseConfigProblem);
    },
  };
}

/**
 * The input rules of the functions a change can reach: those with a rule anchored where a changed
 * path lies (someRuleRoot). The others can match no changed path, so their rules are never built;
 * each function's are built once, however many changes are compared.
 */
async function reachableRules(
  selected: Map<string, ResolvedFunction[]>,
  configDirInRepo: string,
  read: ReadMany,
): Promise<(changed: string[]) => Map<string, InputRule[]>> {
  const deps = await selectedDeps(selected, read);
  const built = new Map<string, InputRule[]>();
  return (changed) => {
    const reached = reachedAnchors(changed);
    const out = new Map<string, InputRule[]>();
    for (const [name, envs] of selected) {
      if (!envs.some((r) => someRuleRoot(r, configDirInRepo, deps, (root) => reached.has(root)))) continue;
      let rules = built.get(name);
      if (!rules) {
        rules = unionRules(envs, configDirInRepo, deps);
        built.set(name, rules);
      }
      out.set(name, rules);
    }
    return out;
  };
}

/** Each shared layer's own input rules (in `env`, or the union over environments) and its AWS name with --env. */
async function sharedLayerRules(
  project: Project,
  env: string | undefined,
  read: ReadMany,
): Promise<Map<string, { awsName?: string; rules: InputRule[] }>> {
  const decls = Object.values(project.layers);
  const subjects = decls.flatMap((d) =>
    env === undefined ? Object.values(d.envs) : d.envs[env] ? [d.envs[env]!] : [],
  );
  const deps = await descriptorDeps(subjects, read);
  const out = new Map<string, { awsName?: string; rules: InputRule[] }>();
  for (const d of decls) {
    const envs = env === undefined ? Object.values(d.envs) : d.envs[env] ? [d.envs[env]!] : [];
    const rules = new Map<string, InputRule>();
    for (const l of envs) for (const rule of layerRules(l, deps(l))) rules.set(rule.key, rule);
    out.set(d.name, {
      ...(env !== undefined && envs[0] ? { awsName: envs[0].layerName } : {}),
      rules: [...rules.values()],
    });
  }
  return out;
}

async function compareConfigs(
  loaded: LoadedProject,
  configInRepo: string,
  base: string,
  head: Project,
  env: string | undefined,
): Promise<{ configDiff: ConfigDiff | null; baseConfigProblem: string | null }> {
  const baseText = (await commitReader(loaded.root, base)([configInRepo])).get(configInRepo) ?? null;
  const parsed =
    baseText === null
      ? null
      : projectFromText(
          baseText,
          loaded.project.configFile,
          configInRepo,
          loaded.source.root,
          loaded.configDirInRepo,
          false,
          commitDirs(loaded.root, base),
        );
  if (parsed?.ok) return { configDiff: diffConfigs(parsed.project, head, env), baseConfigProblem: null };
  const problem = parsed
    ? `${configInRepo} at base ${base.slice(0, 7)} is invalid, so every function counts as changed`
    : `${configInRepo} does not exist at base ${base.slice(0, 7)}, so every function counts as changed`;
  return { configDiff: null, baseConfigProblem: problem };
}

async function loadAtCommit(
  loaded: LoadedProject,
  read: ReadMany,
  configInRepo: string,
  head: string,
): Promise<LoadedProject> {
  const text = (await read([configInRepo])).get(configInRepo);
  const shownAs = `${configInRepo}@${head.slice(0, 7)}`;
  if (text == null) throw new UsageError(`${configInRepo} does not exist at --head ${head.slice(0, 7)}`);
  const parsed = projectFromText(
    text,
    loaded.project.configFile,
    shownAs,
    loaded.source.root,
    loaded.configDirInRepo,
    false,
    commitDirs(loaded.root, head),
  );
  if (!parsed.ok) throw new ConfigError(parsed.diagnostics);
  return { ...loaded, ...parsed };
}

export function affectedNames(result: PlanResult): string[] {
  return result.functions.filter((f) => f.affected).map((f) => f.name);
}
