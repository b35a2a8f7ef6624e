import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GitError } from '../errors.js';
import { git, gitSync } from './git.js';
import { inside } from './paths.js';

/** Reads many repository files at once, from the work tree or from a commit; missing files map to null. */
export type ReadMany = (repoPaths: string[]) => Promise<Map<string, string | null>>;

/** Synchronous reads: for thousands of small descriptors they beat a promise per file several times over. */
export function worktreeReader(root: string): ReadMany {
  return async (paths) => new Map(paths.map((p) => [p, readOrNull(inside(root, p))] as const));
}

/** Reads many repository files at once, without waiting (the work tree); missing files map to null. */
export type ReadNow = (repoPaths: string[]) => Map<string, string | null>;

/**
 * Each path read once, however often it is asked for: a run's checks and plan rules read the same
 * descriptors (thousands of functions, a handful of shared ones). For one run only: what it
 * remembers is the text as it was first read.
 */
export function readOnce(read: ReadMany): ReadMany {
  const known = new Map<string, string | null>();
  const once: ReadMany = async (paths) => {
    const missing = paths.filter((p) => !known.has(p));
    if (missing.length > 0) for (const [p, text] of await read(missing)) known.set(p, text);
    return new Map(paths.map((p) => [p, known.get(p) ?? null] as const));
  };
  derived.set(once, new Map());
  return once;
}

/** readOnce for a reader that needs no wait, with its asynchronous face: both remember the same files. */
export function readNowOnce(readNow: ReadNow): { now: ReadNow; read: ReadMany } {
  const known = new Map<string, string | null>();
  const now: ReadNow = (paths) => {
    const missing = paths.filter((p) => !known.has(p));
    if (missing.length > 0) for (const [p, text] of readNow(missing)) known.set(p, text);
    return new Map(paths.map((p) => [p, known.get(p) ?? null] as const));
  };
  const read: ReadMany = async (paths) => now(paths);
  const memo = new Map<string, unknown>();
  derived.set(now, memo);
  derived.set(read, memo);
  return { now, read };
}

const derived = new WeakMap<ReadMany | ReadNow, Map<string, unknown>>();

/**
 * Where what is worked out from a remembering reader's files can be kept (by a key naming what it
 * is): its files never change, so neither does anything read from them. Undefined for any other
 * reader, whose files may.
 */
export function derivedFrom(read: ReadMany | ReadNow): Map<string, unknown> | undefined {
  return derived.get(read);
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Reads asked for in the same turn of the event loop go to `read` as one call: a commit's
 * descriptors, asked for one function at a time, cost one `git cat-file --batch`, not one each.
 */
export function coalesced(read: ReadMany): ReadMany {
  let batch: { paths: Set<string>; result: Promise<Map<string, string | null>> } | null = null;
  return async (paths) => {
    if (!batch) {
      const next = { paths: new Set<string>(), result: Promise.resolve(new Map<string, string | null>()) };
      next.result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        batch = null;
        return read([...next.paths]);
      });
      batch = next;
    }
    for (const p of paths) batch.paths.add(p);
    const all = await batch.result;
    return new Map(paths.map((p) => [p, all.get(p) ?? null] as const));
  };
}

/** One `git cat-file --batch` per call, however many files. */
export function commitReader(root: string, commit: string): ReadMany {
  return async (paths) => {
    const out = new Map<string, string | null>();
    if (paths.length === 0) return out;
    const r = await git(root, ['cat-file', '--batch'], paths.map((p) => `${commit}:${p}\n`).join(''));
    const buf = r.stdout;
    let pos = 0;
    for (const p of paths) {
      const eol = buf.indexOf(10, pos);
      if (eol < 0) break;
      const header = buf.subarray(pos, eol).toString('utf8');
      pos = eol + 1;
      const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
      if (!m) {
        out.set(p, null); // "<name> missing" or "ambiguous"
        continue;
      }
      const size = Number(m[2]);
      out.set(p, m[1] === 'blob' ? buf.subarray(pos, pos + size).toString('utf8') : null);
      pos += size + 1;
    }
    return out;
  };
}

/** A directory's subdirectories ('' for the repository root): what a function family expands over. */
export type ListDirs = (repoDir: string) => string[];

/**
 * Subdirectories in the work tree; inside a git repository only those holding a tracked file
 * (lci packages what git tracks, so an untracked directory makes no function). One `git ls-files`
 * per directory listed; synchronous, as config loading is.
 */
export function worktreeDirs(root: string, inRepo: boolean): ListDirs {
  return (dir) => {
    let names: string[];
    try {
      names = readdirSync(join(root, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory() || (d.isSymbolicLink() && isDir(join(root, dir, d.name))))
        .map((d) => d.name);
    } catch {
      return [];
    }
    if (!inRepo) return names;
    const tracked = childrenOf(gitDirs(root, ['ls-files', '-z', '--', dirSpec(dir)]), dir);
    return names.filter((n) => tracked.has(n));
  };
}

/** Subdirectories at a commit (`git ls-tree`). */
export function commitDirs(root: string, commit: string): ListDirs {
  return (dir) => [
    ...childrenOf(gitDirs(root, ['ls-tree', '-d', '--name-only', '-z', commit, '--', dirSpec(dir)]), dir),
  ];
}

function dirSpec(dir: string): string {
  return dir ? `${dir}/` : '.';
}

/** Pathspecs read as the names they are, never as a glob or pathspec magic (`jobs[1]`, `:(exclude)x`). */
function gitDirs(root: string, args: string[]): Buffer {
  const r = gitSync(root, ['--literal-pathspecs', ...args]);
  if (r.code !== 0) throw new GitError(args, r.code, r.stderr);
  return r.stdout;
}

/** The first path segment below `dir` of every NUL-separated repository path. */
function childrenOf(out: Buffer, dir: string): Set<string> {
  const prefix = dir ? `${dir}/` : '';
  const names = new Set<string>();
  for (const p of out.toString('utf8').split('\0')) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const name = rest.split('/')[0];
    if (name) names.add(name);
  }
  return names;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
