import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigError, type Diagnostic } from '../errors.js';
import { repository, resolveCommit } from '../vcs/git.js';
import {
  indexEntries,
  SMALL_INDEX_ENTRIES,
  trackedAmong,
  trackedFiles,
  trackedFilesWithin,
  type Tracked,
} from '../vcs/tracked.js';
import { semanticDiagnostics } from './checks.js';
import { checkKey, familiesStamp, readChecks, writeChecks, type CachedChecks } from './check-cache.js';
import { dependencyDiagnostics } from './dependency-checks.js';
import { decodeConfig } from './encoding.js';
import { findConfig } from './find.js';
import { fileDiagnostics, smokeFileDiagnostics, type FileKind } from './fs-checks.js';
import { resolveConfig, type ResolvedConfig } from './resolve.js';
import { schemaDiagnostics } from './schema.js';
import { isRecord, located, parseConfigText, type ConfigSource, type PathSegment, type Unlocated } from './source.js';
import type { Project, Workspace } from './types.js';
import { expandFamilies } from './families.js';
import { monorepoDiagnostics } from './monorepo-checks.js';
import { dotted } from './schema.js';
import { today as todayIso } from './runtimes.js';
import { readNowOnce, worktreeDirs, type ListDirs, type ReadMany } from '../vcs/readers.js';
import { inside } from '../vcs/paths.js';
import { RealPaths } from './real-paths.js';

export interface LoadedProject {
  project: Project;
  source: ConfigSource;
  /** Repository root, or the config directory outside a repository. */
  root: string;
  inRepo: boolean;
  /** The config directory relative to `root`, POSIX, '' at the root. */
  configDirInRepo: string;
  resolved: ResolvedConfig;
  workspace: Workspace;
  /** Problems that do not stop anything (a deprecated runtime, a family without directories): shown by validate, build and deploy, located on the first call. */
  warnings: () => Diagnostic[];
  /** The work tree's files as the checks read them, each once (plan's rules read the same descriptors); absent when nothing was checked. */
  read?: ReadMany;
}

export interface LoadOptions {
  cwd: string;
  config?: string;
  /** Check that paths and descriptors exist on disk (off for configs read from git history). */
  checkFiles?: boolean;
  /** The config's text, checked as if it were the file `config` (lci init --dry-run: nothing is written yet). */
  text?: string;
  /** The repository root around `cwd` when the caller has asked git already (null: outside any). */
  gitRoot?: string | null;
}

/** Finds, parses, validates and resolves the config; throws ConfigError with every problem at once. */
export async function loadProject(opts: LoadOptions): Promise<LoadedProject> {
  // HEAD is asked with the root (one git process) for the commands that read it: deploy, plan.
  const probe = opts.gitRoot !== undefined ? { root: opts.gitRoot, head: null } : await repository(opts.cwd);
  const gitRoot = probe.root;
  const found =
    opts.text !== undefined && opts.config !== undefined
      ? { filepath: resolve(opts.cwd, opts.config), bytes: Buffer.from(opts.text, 'utf8'), root: [] }
      : findConfig(opts.cwd, opts.config, gitRoot ?? undefined);
  const dir = dirname(found.filepath);
  const root = gitRoot && isInside(gitRoot, found.filepath) ? gitRoot : dir;
  const configDirInRepo = toPosix(relative(root, dir));
  const shownAs = displayPath(opts.cwd, found.filepath);
  const decoded = decodeConfig(found.bytes);
  if (!decoded.ok)
    throw new ConfigError([{ file: shownAs, line: decoded.line, col: decoded.col, message: decoded.message }]);
  // A configuration checked before (same text, same lci, same day, same place) is not checked again.
  const stateDir = join(dir, '.lci');
  const today = todayIso();
  const key =
    opts.text === undefined && (opts.checkFiles ?? true)
      ? checkKey({ text: decoded.text, filepath: found.filepath, shownAs, root: found.root, configDirInRepo, today })
      : null;
  const cached = key ? readChecks(stateDir, key) : null;
  // One lookup of each path and one read of each file for every check of this load.
  const paths = new RealPaths();
  const files = readNowOnce((repoPaths) => new Map(repoPaths.map((f) => [f, paths.text(inside(root, f))])));
  const result = projectFromText(
    decoded.text,
    found.filepath,
    shownAs,
    found.root,
    configDirInRepo,
    opts.checkFiles ?? true,
    worktreeDirs(root, gitRoot !== null && root === gitRoot),
    today,
    paths,
    cached,
  );
  if (!result.ok) throw new ConfigError(result.diagnostics);
  const inRepo = root === gitRoot;
  let tracked: Promise<Tracked | null> | undefined;
  let trackedScope: string[] | undefined;
  let head: Promise<string | null> | undefined = probe.head ? Promise.resolve(probe.head) : undefined;
  const workspace = {
    root,
    configDirInRepo,
    stateDir,
    tracked: () =>
      (tracked ??= !inRepo
        ? Promise.resolve(null)
        : trackedScope
          ? trackedFilesWithin(root, trackedScope)
          : trackedFiles(root)),
    trackOnly: (paths: string[]) => {
      trackedScope ??= paths;
    },
    head: () => (head ??= inRepo ? resolveCommit(root, 'HEAD') : Promise.resolve(null)),
  };
  if (!(opts.checkFiles ?? true)) return { ...result, root, inRepo, workspace };
  // What the descriptors name is checked once the configuration itself is sound.
  const checked = await dependencyDiagnostics(result.resolved, {
    source: result.source,
    root,
    cwd: opts.cwd,
    // In a large repository, the named files only, not the workspace's listing: deploy narrows that to its functions' inputs later.
    tracked: (asked) =>
      !inRepo
        ? Promise.resolve(null)
        : (indexEntries(root) ?? Infinity) <= SMALL_INDEX_ENTRIES
          ? workspace.tracked()
          : trackedAmong(root, asked),
    read: files.now,
    paths,
  });
  if (checked.errors.length > 0) throw new ConfigError(checked.errors);
  if (key && cached?.families !== result.checks.families) writeChecks(stateDir, key, result.checks);
  const warnings = () => [...result.warnings(), ...checked.warnings];
  return { ...result, warnings, root, inRepo, workspace, read: files.read };
}

export type ParseResult =
  | {
      ok: true;
      project: Project;
      source: ConfigSource;
      configDirInRepo: string;
      resolved: ResolvedConfig;
      warnings: () => Diagnostic[];
      /** The verdict of the checks that read only the configuration, to keep for the next run. */
      checks: CachedChecks;
    }
  | { ok: false; diagnostics: Diagnostic[] };

/**
 * Pure apart from the optional file checks and the directory listing function families expand
 * over (the work tree, or a commit): config text in, project or diagnostics out. `today` dates
 * the runtime deprecation checks. `cached`: the verdict of an earlier run with the same inputs
 * (check-cache.ts); the checks that read only the configuration then run again only if what its
 * families expand to differs.
 */
export function projectFromText(
  text: string,
  filepath: string,
  shownAs: string,
  root: PathSegment[],
  configDirInRepo: string,
  checkFiles: boolean,
  listDirs: ListDirs = () => [],
  today: string = todayIso(),
  paths: RealPaths = new RealPaths(),
  cached: CachedChecks | null = null,
): ParseResult {
  const source = parseConfigText(text, filepath, shownAs, root);
  const syntax = source.syntaxDiagnostics();
  if (syntax.length > 0) return { ok: false, diagnostics: syntax };
  if (!isRecord(source.data)) {
    const what = root.length
      ? `the file has no "${root.join('.')}" section`
      : 'the configuration is empty or not a map';
    return {
      ok: false,
      diagnostics: [
        {
          file: shownAs,
          line: 1,
          col: 1,
          message: `${what}; start from lci init or the example in docs/configuration.md`,
        },
      ],
    };
  }
  // Families expand before anything else is checked: every member is checked as if written out.
  const expansion = expandFamilies(source.data, configDirInRepo, listDirs);
  const families = familiesStamp(expansion.data, expansion.members);
  const known = cached?.families === families ? cached : null;
  const diagnostics = known ? [] : schemaDiagnostics(source);
  const warnings: Unlocated[] = [];
  for (const [member, family] of expansion.members) source.familyOf.set(member, family);
  for (const p of expansion.problems) {
    const problem = { path: p.path, anchor: p.anchor, message: `${dotted(p.path)}: ${p.message}` };
    if (p.severity === 'warning') warnings.push(problem);
    else diagnostics.push(located(source, problem));
  }
  const data = expansion.data;
  const resolved = resolveConfig(data, configDirInRepo);
  let checked: Unlocated[];
  if (known) checked = known.warnings;
  else {
    diagnostics.push(...semanticDiagnostics(source, data, resolved, configDirInRepo));
    const monorepo = monorepoDiagnostics(source, data, resolved, configDirInRepo, today);
    diagnostics.push(...monorepo.errors);
    checked = monorepo.warnings;
  }
  warnings.push(...checked);
  if (checkFiles) {
    diagnostics.push(...fileDiagnostics(source, resolved, dirname(filepath), configDirInRepo, (p) => kindOf(paths, p)));
    diagnostics.push(...smokeFileDiagnostics(source, data, dirname(filepath), configDirInRepo));
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics: sortDiagnostics(diagnostics) };
  const project: Project = {
    configFile: filepath,
    dir: dirname(filepath),
    artifacts: resolved.artifacts,
    shared: resolved.shared,
    notify: resolved.notify,
    ci: resolved.ci,
    environments: resolved.environments,
    functions: resolved.functions,
    layers: resolved.layers,
  };
  let shown: Diagnostic[] | undefined;
  return {
    ok: true,
    project,
    source,
    configDirInRepo,
    resolved,
    checks: { families, warnings: checked },
    warnings: () => (shown ??= sortDiagnostics(warnings.map((w) => located(source, w)))),
  };
}

/** What is at a path, symlinks followed, as the path checks ask it. */
function kindOf(paths: RealPaths, abs: string): FileKind {
  return paths.of(abs)?.kind ?? 'missing';
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col);
}

/** Relative to the working directory, as compilers print it, so terminals can open it. */
export function displayPath(cwd: string, filepath: string): string {
  const rel = toPosix(relative(cwd, filepath));
  return rel === '' || isAbsolute(rel) ? filepath : rel;
}

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
