import { basename, relative } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { loadProject, projectFromText, toPosix, type LoadedProject } from '../config/load.js';
import { didYouMean } from '../config/suggest.js';
import type { Project, ResolvedFunction } from '../config/types.js';
import { changedPaths, haveCommonHistory, isShallow, resolveCommit } from '../vcs/git.js';
import { commitReader, worktreeReader, type ReadMany } from '../vcs/readers.js';
import { inputRules, matchChanges, reasonsFor } from './affected.js';
import { chooseBase, NO_BASE_HELP, ZERO_SHA } from './base.js';
import { diffConfigs, type ConfigDiff } from './config-diff.js';
import { globRule } from './rules.js';
import type { FunctionPlan, PlanResult, Reason } from './types.js';

export interface PlanOptions {
  cwd: string;
  config?: string;
  base?: string;
  head?: string;
  env?: string;
  all?: boolean;
  environ: NodeJS.ProcessEnv;
}

/** Decides which functions a change between two commits touches, and why. */
export async function plan(opts: PlanOptions): Promise<PlanResult> {
  const loaded = await loadProject({ cwd: opts.cwd, config: opts.config });
  checkEnv(loaded.project, opts.env);
  if (opts.all) return everything(loaded.project, opts.env ?? null, { path: null, rule: 'all', detail: '--all' }, null, null, null);
  if (!loaded.inRepo) throw new UsageError(`${loaded.source.displayPath} is not inside a git repository; lci plan compares commits (use --all to select every function)`);
  const root = loaded.root;

  const headRev = opts.head ?? 'HEAD';
  const choice = chooseBase(opts.base, opts.environ);
  // Independent git calls run side by side: each is a process start.
  const [head, checkedOut, baseSha] = await Promise.all([
    resolveCommit(root, headRev),
    resolveCommit(root, 'HEAD'),
    choice && !ZERO_SHA.test(choice.rev) ? resolveCommit(root, choice.rev) : null,
  ]);
  if (!head) throw new UsageError(`--head ${headRev} does not name a commit in ${root}`);
  if (!choice) throw new UsageError(NO_BASE_HELP);

  const [problem, changed] = await Promise.all([
    baseUnavailable(root, choice.rev, baseSha, head),
    baseSha ? changedPaths(root, baseSha, head) : ([] as string[]),
  ]);
  if (problem) {
    return everything(loaded.project, opts.env ?? null, { path: null, rule: 'base-unavailable', detail: problem }, choice.rev, choice.from, head);
  }
  const base = baseSha!;

  const worktreeIsHead = head === checkedOut;
  const read = worktreeIsHead ? worktreeReader(root) : commitReader(root, head);
  const configInRepo = toPosix(relative(root, loaded.project.configFile));
  const headLoaded = worktreeIsHead ? loaded : await loadAtCommit(loaded, read, configInRepo, head);
  const project = headLoaded.project;

  let configDiff: ConfigDiff | null = null;
  let baseConfigProblem: string | null = null;
  if (changed.includes(configInRepo)) {
    const baseText = (await commitReader(root, base)([configInRepo])).get(configInRepo) ?? null;
    const parsed = baseText === null ? null : projectFromText(baseText, loaded.project.configFile, configInRepo, loaded.source.root, loaded.configDirInRepo, false);
    if (parsed?.ok) configDiff = diffConfigs(parsed.project, project);
    else baseConfigProblem = parsed ? `${configInRepo} at base ${base.slice(0, 7)} is invalid, so every function counts as changed` : `${configInRepo} does not exist at base ${base.slice(0, 7)}, so every function counts as changed`;
  }

  const selected = selectedFunctions(project, opts.env);
  const rulesByFunction = await inputRules(selected, headLoaded.configDirInRepo, read);
  const sharedRules = project.shared.map((g) => globRule('shared', headLoaded.configDirInRepo, g));
  // A package.json that holds the config is also a descriptor; a dedicated config file is judged only by its contents.
  const ignore = new Set(basename(configInRepo) === 'package.json' ? [] : [configInRepo]);
  const matches = matchChanges(changed, rulesByFunction, sharedRules, ignore);

  const functions: FunctionPlan[] = [];
  for (const [name, envs] of selected) {
    const { reasons, count } = reasonsFor(name, matches);
    const extra = configReason(name, configInRepo, configDiff, baseConfigProblem);
    if (extra) reasons.unshift(extra);
    functions.push({ name, ...awsName(envs, opts.env), affected: reasons.length > 0, reasons, reasonCount: count + (extra ? 1 : 0) });
  }
  for (const name of configDiff?.removed ?? []) {
    functions.push({ name, affected: false, removed: true, reasons: [{ path: configInRepo, rule: 'removed' }], reasonCount: 1 });
  }
  return { base, baseFrom: choice.from, head, env: opts.env ?? null, changedPaths: changed.length, functions };
}

function checkEnv(project: Project, env: string | undefined): void {
  if (env === undefined) return;
  const names = Object.keys(project.environments);
  if (!names.includes(env)) throw new UsageError(`--env ${env}: no such environment${didYouMean(env, names)}; declared: ${names.join(', ')}`);
}

/** Functions in play with their resolved configuration per environment (only `env` when given). */
function selectedFunctions(project: Project, env: string | undefined): Map<string, ResolvedFunction[]> {
  const out = new Map<string, ResolvedFunction[]>();
  for (const fn of Object.values(project.functions)) {
    const envs = env === undefined ? Object.values(fn.envs) : fn.envs[env] ? [fn.envs[env]!] : [];
    if (envs.length > 0) out.set(fn.name, envs); // a function skipped everywhere is never deployed
  }
  return out;
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

/** Why the base cannot be compared with, or null when it can. */
async function baseUnavailable(root: string, rev: string, sha: string | null, head: string): Promise<string | null> {
  if (ZERO_SHA.test(rev)) return `base ${rev.slice(0, 7)}… is the all-zero sha (a new branch or tag has no previous commit)`;
  if (!sha) {
    const hint = (await isShallow(root))
      ? 'this is a shallow clone: fetch the history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)'
      : 'check the revision, or fetch it (git fetch origin <rev>)';
    return `base ${rev} is not a commit in this clone; ${hint}`;
  }
  if (!(await haveCommonHistory(root, sha, head))) return `base ${sha.slice(0, 7)} and head ${head.slice(0, 7)} share no history`;
  return null;
}

function everything(project: Project, env: string | null, reason: Reason, base: string | null, baseFrom: string | null, head: string | null): PlanResult {
  const functions: FunctionPlan[] = [];
  for (const [name, envs] of selectedFunctions(project, env ?? undefined)) {
    functions.push({ name, ...awsName(envs, env ?? undefined), affected: true, reasons: [reason], reasonCount: 1 });
  }
  return { base, baseFrom, head, env, changedPaths: 0, functions };
}

async function loadAtCommit(loaded: LoadedProject, read: ReadMany, configInRepo: string, head: string): Promise<LoadedProject> {
  const text = (await read([configInRepo])).get(configInRepo);
  const shownAs = `${configInRepo}@${head.slice(0, 7)}`;
  if (text == null) throw new UsageError(`${configInRepo} does not exist at --head ${head.slice(0, 7)}`);
  const parsed = projectFromText(text, loaded.project.configFile, shownAs, loaded.source.root, loaded.configDirInRepo, false);
  if (!parsed.ok) throw new ConfigError(parsed.diagnostics);
  return { ...loaded, ...parsed };
}
