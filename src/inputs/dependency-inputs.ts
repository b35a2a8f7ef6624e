import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { globTest } from './glob-test.js';
import { descriptorMakesLayer } from '../config/dependency-checks.js';
import { localDependencies } from '../config/local-deps.js';
import { isLockfile } from '../config/runtimes.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { BuildError } from '../errors.js';
import type { Tracked } from '../vcs/tracked.js';
import { worktreeReader } from '../vcs/readers.js';
import { collectFiles } from './files.js';

/** What a dependency build reads: the descriptor, lockfiles beside it, local path dependencies (repository-relative). */
export interface DependencyInputs {
  descriptor: string;
  lockfiles: string[];
  localDeps: string[];
  /** Where the install runs (pip's working directory), repository-relative; absent: the descriptor's directory. */
  workdir?: string;
  /** A shared layer's `exclude`: files under `root` its globs match are never read (nor hashed). */
  exclude?: ReadExclude;
}

/** Globs relative to `root` (a shared layer's directory) naming files a build leaves unread. */
export interface ReadExclude {
  root: string;
  globs: string[];
}

/** One file a dependency build reads, where it is in the repository and where its bytes are. */
export interface DependencyFile {
  repoPath: string;
  abs: string;
  executable: boolean;
}

/**
 * Null when the function has no dependencies: descriptor: false, a defaulted descriptor that does
 * not exist (or that git does not track: the commit has none), or one that declares nothing to
 * install (comments and options only; a package.json without dependencies). Then no layer is
 * built or attached. Lockfiles count only when git tracks them.
 */
export async function dependencyInputs(
  r: Pick<ResolvedFunction, 'descriptorPath' | 'family' | 'installDir'>,
  ws: Workspace,
  exclude?: ReadExclude,
): Promise<DependencyInputs | null> {
  if (r.descriptorPath === null) return null;
  const descriptor = r.descriptorPath;
  const tracked = await ws.tracked();
  const read = worktreeReader(ws.root);
  const text = (await read([descriptor])).get(descriptor) ?? null;
  if (!descriptorMakesLayer(r.family, descriptor, text, tracked)) return null;
  const dir = posix.dirname(descriptor);
  const siblings = await readdir(join(ws.root, dir), { withFileTypes: true });
  const lockfiles = siblings
    .map((d) => ({ d, path: posix.join(dir === '.' ? '' : dir, d.name) }))
    .filter(
      ({ d, path }) =>
        d.isFile() && isLockfile(r.family, d.name) && path !== descriptor && (!tracked || tracked.has(path)),
    )
    .map(({ path }) => path)
    .sort();
  const localDeps = (await localDependencies(r.family, descriptor, read, { cwd: r.installDir }))
    .map((d) => d.path)
    .sort();
  const own = dir === '.' ? '' : dir;
  const workdir = r.installDir ?? own;
  return {
    descriptor,
    lockfiles,
    localDeps,
    ...(workdir !== own ? { workdir } : {}),
    ...(exclude && exclude.globs.length > 0 ? { exclude } : {}),
  };
}

/** Whether a repository path is one an `exclude` leaves unread: under its root and matched by a glob (relative to the root). */
export function readExcluder(exclude: ReadExclude | undefined): (repoPath: string) => boolean {
  if (!exclude || exclude.globs.length === 0) return () => false;
  const match = globTest(exclude.globs, { dot: true });
  const prefix = exclude.root === '' ? '' : `${exclude.root}/`;
  return (p) => p.startsWith(prefix) && match(p.slice(prefix.length));
}

/** Files inside local dependencies that never change what gets installed: never staged, hashed or matched by plan. */
export const DEPENDENCY_JUNK = globTest(
  [
    '**/.git/**',
    '**/__pycache__/**',
    '**/*.pyc',
    '**/node_modules/**',
    '**/*.egg-info/**',
    '**/build/**',
    '**/.DS_Store',
  ],
  {
    dot: true,
  },
);

/**
 * Every file a dependency build reads, as the commit has them: the descriptor, the lockfiles and
 * the tracked files of every local dependency (symlinks resolved, none leaving the repository).
 * The cache key hashes exactly these, and the build container sees exactly these.
 */
export async function dependencyFiles(inputs: DependencyInputs, ws: Workspace): Promise<DependencyFile[]> {
  const tracked = await ws.tracked();
  const excluded = readExcluder(inputs.exclude);
  const out = new Map<string, DependencyFile>();
  const add = (f: DependencyFile) => out.set(f.repoPath, f);
  for (const file of [inputs.descriptor, ...inputs.lockfiles]) add(await single(ws.root, file, tracked));
  for (const dep of inputs.localDeps) {
    const s = await stat(join(ws.root, dep)).catch(() => null);
    if (!s) throw new BuildError(`dependency input ${dep} does not exist; fix the path in its descriptor`);
    if (!s.isDirectory()) {
      add(await single(ws.root, dep, tracked)); // named by the descriptor itself: an exclude never drops it
      continue;
    }
    const entries = await collectFiles({
      root: join(ws.root, dep),
      boundary: ws.root,
      label: dep,
      packaged: (rel) => !DEPENDENCY_JUNK(rel) && !excluded(posix.join(dep, rel)),
      ...(tracked
        ? { tracked: { index: tracked, rootInRepo: dep, included: () => false, mayInclude: () => false } }
        : {}),
    });
    for (const e of entries)
      add({ repoPath: posix.join(dep, e.name), abs: (e.source as { path: string }).path, executable: e.executable });
  }
  return [...out.values()].sort((a, b) => (a.repoPath < b.repoPath ? -1 : a.repoPath > b.repoPath ? 1 : 0));
}

async function single(root: string, repoPath: string, tracked: Tracked | null): Promise<DependencyFile> {
  if (tracked && !tracked.has(repoPath))
    throw new BuildError(`dependency input ${repoPath} is not committed; commit it (lci builds what the commit holds)`);
  const s = await stat(join(root, repoPath));
  return { repoPath, abs: join(root, repoPath), executable: (s.mode & 0o111) !== 0 };
}

/**
 * Every input file's content, as (name, sha256) pairs in a stable order. Names are relative to
 * the descriptor's directory, so moving a whole service with its libraries keeps its hashes.
 */
export async function dependencyFileHashes(
  inputs: DependencyInputs,
  ws: Workspace,
): Promise<[name: string, sha256: string][]> {
  const base = posix.dirname(inputs.descriptor);
  const deps = new Set(inputs.localDeps);
  const out: [string, string][] = [];
  for (const f of await dependencyFiles(inputs, ws)) {
    const rel = posix.relative(base, f.repoPath);
    // Files keep the labels the key has always used: `file` for the descriptor and lockfiles, `dep` for local dependencies.
    const label = deps.has(f.repoPath) || [...deps].some((d) => f.repoPath.startsWith(`${d}/`)) ? 'dep' : 'file';
    out.push([`${label} ${rel}${label === 'dep' && f.executable ? ' +x' : ''}`, sha256(await readFile(f.abs))]);
  }
  return out;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
