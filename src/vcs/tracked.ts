import { git } from './git.js';
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

/** Every path git tracks, repository-relative. */
export async function trackedPaths(root: string): Promise<string[]> {
  const args = ['ls-files', '-z', '--cached', '--full-name'];
  const r = await git(root, args);
  if (r.code !== 0) throw new GitError(args, r.code, r.stderr);
  const text = r.stdout.toString('utf8');
  return text === '' ? [] : text.split('\0').filter((p) => p !== '');
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

/** Above this many bytes of paths, git status looks at the whole work tree rather than at each path. */
const MAX_PATHSPEC_BYTES = 64 * 1024;

/**
 * Tracked files that differ from HEAD, staged or not (modified, added, deleted, renamed: both paths).
 * `within`: only at or below these repository paths (taken literally, never as globs), so git stats
 * those files only, not every file of a large work tree; '' (the root) among them, or too many
 * of them for one command line, is the whole work tree.
 */
export async function dirtyTrackedPaths(root: string, within?: string[]): Promise<string[]> {
  const scoped =
    within !== undefined &&
    !within.includes('') &&
    within.reduce((n, p) => n + Buffer.byteLength(p) + 1, 0) <= MAX_PATHSPEC_BYTES;
  const args = [
    ...(scoped ? ['--literal-pathspecs'] : []),
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=no',
    '--no-renames',
    ...(scoped ? ['--', ...within] : []),
  ];
  const r = await git(root, args);
  if (r.code !== 0) throw new GitError(args, r.code, r.stderr);
  const text = r.stdout.toString('utf8');
  if (text === '') return [];
  // Each entry: two status letters, a space, the path.
  return text
    .split('\0')
    .filter((e) => e.length > 3)
    .map((e) => e.slice(3));
}

/** The ignore rule that keeps a path out of git, as `.gitignore:5: bench/.work/`, or null when none does. */
export async function ignoreRule(root: string, repoPath: string): Promise<string | null> {
  const r = await git(root, ['check-ignore', '--no-index', '-v', '-z', '--stdin'], `${repoPath}\0`);
  if (r.code !== 0) return null;
  // -z: source, line number, pattern and path, each NUL-terminated
  const [source, line, pattern] = r.stdout.toString('utf8').split('\0');
  return source && line && pattern ? `${source}:${line}: ${pattern}` : null;
}
