import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { git, gitSync, type GitResult } from './git.js';
import { GitError } from '../errors.js';

/** The files git tracks (the index: what the next commit holds), for packaging exactly the commit. */
export interface Tracked {
  has(repoPath: string): boolean;
  /** True when some tracked file lies below this directory. */
  hasUnder(repoDir: string): boolean;
  readonly count: number;
}

/** One `git ls-files` for the whole repository: about 100 ms for 200,000 files. */
export async function trackedFiles(root: string): Promise<Tracked> {
  return trackedIndex(await trackedPaths(root));
}

const LS_FILES = ['ls-files', '-z', '--cached', '--full-name'];

/** Every path git tracks, repository-relative; with `within`, those at or below these paths (limitedTo). */
export async function trackedPaths(root: string, within?: string[]): Promise<string[]> {
  const limit = limitedTo(within);
  const r = await git(root, [...(limit?.before ?? []), ...LS_FILES, ...(limit?.after ?? [])]);
  return listed(r);
}

function listed(r: GitResult): string[] {
  if (r.code !== 0) throw new GitError(LS_FILES, r.code, r.stderr);
  const text = r.stdout.toString('utf8');
  return text === '' ? [] : text.split('\0').filter((p) => p !== '');
}

/**
 * The files git tracks, listed only at or below `within` (repository paths: where the inputs of
 * the functions a run packages lie), so a work tree of 100,000 files is not listed whole to
 * package one function. A question about any other path (a symlink that leads out of them, say)
 * lists the whole repository then, once, and synchronously: such questions are rare.
 */
export async function trackedFilesWithin(root: string, within: string[]): Promise<Tracked> {
  if (limitedTo(within) === null) return trackedFiles(root);
  const scoped = trackedIndex(await trackedPaths(root, within));
  const inScope = atOrBelowAny(within);
  const all = wholeListingWhenAsked(root);
  return {
    has: (p) => (inScope(p) ? scoped.has(p) : all().has(p)),
    hasUnder: (dir) => (dir !== '' && inScope(dir) ? scoped.hasUnder(dir) : all().hasUnder(dir)),
    get count() {
      return all().count;
    },
  };
}

/** The whole repository's listing, made on the first call (synchronously: asked from inside synchronous code) and kept. */
function wholeListingWhenAsked(root: string): () => Tracked {
  let whole: Tracked | undefined;
  return () => (whole ??= trackedIndex(listed(gitSync(root, LS_FILES))));
}

/**
 * What git tracks, for questions about a few named files (the descriptors lambdas.yaml names): one
 * `git cat-file --batch-check` looks each up in the index (`:0:<path>`), instead of listing every
 * tracked file of a large repository. A file it does not find, and any other question, is
 * answered from the whole listing (once, synchronously), so every answer is the listing's: such
 * a file is about to be reported anyway, and an entry git keeps in another form (a conflict's
 * stages) is not missed.
 */
export async function trackedAmong(root: string, paths: string[]): Promise<Tracked> {
  const all = wholeListingWhenAsked(root);
  const asked = [...new Set(paths)].filter((p) => p !== '' && !/\p{Cc}/u.test(p));
  const found = new Set<string>();
  if (asked.length > 0) {
    const r = await git(root, ['cat-file', '--batch-check=%(objecttype)'], asked.map((p) => `:0:${p}\n`).join(''));
    const lines = r.stdout.toString('utf8').split('\n');
    // One line per path, in order: its object's type, or `<name> missing`.
    if (r.code === 0 && lines.length > asked.length)
      asked.forEach((p, i) => {
        if (lines[i] === 'blob') found.add(p);
      });
  }
  return {
    has: (p) => found.has(p) || all().has(p),
    hasUnder: (dir) => all().hasUnder(dir),
    get count() {
      return all().count;
    },
  };
}

/**
 * Up to this many entries in git's index, listing every tracked file (about 15 ms here) costs less
 * than a lookup by name followed by a narrower listing later: in a deploy, that second git process
 * starts once the SDK is loaded, when starting a process costs the most (bench/deploy/against.ts).
 */
export const SMALL_INDEX_ENTRIES = 20_000;

/**
 * How many entries git's index holds, from its header, when it is where git keeps it by default
 * (`.git/index` in the work tree's root); null when that cannot be told (a linked worktree, another
 * index named by the environment).
 */
export function indexEntries(root: string): number | null {
  if (process.env.GIT_INDEX_FILE !== undefined || process.env.GIT_DIR !== undefined) return null;
  let fd = -1;
  try {
    fd = openSync(join(root, '.git', 'index'), 'r');
    const header = Buffer.alloc(12);
    if (readSync(fd, header, 0, 12, 0) < 12 || header.toString('latin1', 0, 4) !== 'DIRC') return null;
    return header.readUInt32BE(8);
  } catch (e) {
    // A repository without an index yet (no file ever added) tracks nothing.
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 0 : null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Whether a repository path lies at or below one of `within` (repository paths, '' the root). Pure. */
export function atOrBelowAny(within: string[]): (path: string) => boolean {
  const scopes = new Set(within);
  if (scopes.has('')) return () => true;
  return (path) => {
    for (let p = path; ; ) {
      if (scopes.has(p)) return true;
      const slash = p.lastIndexOf('/');
      if (slash < 0) return false;
      p = p.slice(0, slash);
    }
  };
}

/** The index over a list of repository paths. Pure. */
export function trackedIndex(paths: string[]): Tracked {
  const set = new Set(paths);
  const sorted = [...set].sort();
  return {
    count: sorted.length,
    has: (p) => set.has(p),
    hasUnder(dir) {
      if (dir === '') return sorted.length > 0;
      const prefix = `${dir}/`;
      // The first path >= prefix starts with it when any does.
      let lo = 0;
      let hi = sorted.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < prefix) lo = mid + 1;
        else hi = mid;
      }
      return lo < sorted.length && sorted[lo]!.startsWith(prefix);
    },
  };
}

/** Above this many bytes of paths, git looks at the whole work tree rather than at each path. */
const MAX_PATHSPEC_BYTES = 64 * 1024;
/**
 * Above this many paths too: git tests every index entry against every pathspec, so in a work tree
 * of 200,000 files `git status` of 100 paths took 0.28 s and of 1,000 paths 2.4 s, where the whole
 * tree took 0.21 s (bench/git/pathspecs.mjs).
 */
export const MAX_PATHSPECS = 32;

/**
 * git's arguments that limit a command to `within` (repository paths, taken literally, never as
 * globs), or null when it must look at the whole work tree: '' (the root) among them, or too
 * many of them to be cheaper than the whole tree.
 */
function limitedTo(within: string[] | undefined): { before: string[]; after: string[] } | null {
  if (within === undefined || within.includes('') || within.length > MAX_PATHSPECS) return null;
  if (within.reduce((n, p) => n + Buffer.byteLength(p) + 1, 0) > MAX_PATHSPEC_BYTES) return null;
  return { before: ['--literal-pathspecs'], after: ['--', ...within] };
}

/**
 * Tracked files that differ from HEAD, staged or not (modified, added, deleted, renamed: both paths).
 * `within`: only those at or below these repository paths. git then stats those files only, not
 * every file of a large work tree, unless there are too many paths (limitedTo): it looks at the
 * whole tree and the paths elsewhere are left out here, so the answer is the same either way.
 */
export async function dirtyTrackedPaths(root: string, within?: string[]): Promise<string[]> {
  const limit = limitedTo(within);
  const args = [
    ...(limit?.before ?? []),
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=no',
    '--no-renames',
    ...(limit?.after ?? []),
  ];
  const r = await git(root, args);
  if (r.code !== 0) throw new GitError(args, r.code, r.stderr);
  const text = r.stdout.toString('utf8');
  if (text === '') return [];
  // Each entry: two status letters, a space, the path.
  const dirty = text
    .split('\0')
    .filter((e) => e.length > 3)
    .map((e) => e.slice(3));
  return within && !limit ? dirty.filter(atOrBelowAny(within)) : dirty;
}

/** The ignore rule that keeps a path out of git, as `.gitignore:5: bench/.work/`, or null when none does. */
export async function ignoreRule(root: string, repoPath: string): Promise<string | null> {
  const r = await git(root, ['check-ignore', '--no-index', '-v', '-z', '--stdin'], `${repoPath}\0`);
  if (r.code !== 0) return null;
  // -z: source, line number, pattern and path, each NUL-terminated
  const [source, line, pattern] = r.stdout.toString('utf8').split('\0');
  return source && line && pattern ? `${source}:${line}: ${pattern}` : null;
}
