import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, GitError } from '../errors.js';

/** The git edge: every git call lci makes goes through here. */

/** Before every command: paths as they are (UTF-8), never quoted with octal escapes. */
const EVERY_CALL = ['-c', 'core.quotePath=false'];

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function git(cwd: string, args: string[], input?: string, signal?: AbortSignal): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...EVERY_CALL, ...args], {
      cwd,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(signal ? { signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => reject(notStarted(e)));
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8').trim() }),
    );
    if (child.stdin) {
      child.stdin.on('error', () => {}); // git may exit before reading all input; its exit code tells
      child.stdin.end(input);
    }
  });
}

/** git, waited for: only where an answer is needed inside synchronous code (rare by design). */
export function gitSync(cwd: string, args: string[]): GitResult {
  const r = spawnSync('git', [...EVERY_CALL, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 30,
  });
  if (r.error) throw notStarted(r.error);
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

function notStarted(e: NodeJS.ErrnoException): CommandError {
  return new CommandError(
    e.code === 'ENOENT'
      ? 'git is not installed or not on PATH; lci needs git to find changes'
      : `git failed to start: ${e.message}`,
  );
}

async function gitText(cwd: string, args: string[]): Promise<string | null> {
  const r = await git(cwd, args);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
}

/**
 * The repository around `cwd` and the commit its HEAD names, from one git process: root null
 * outside a git work tree, head null before the first commit.
 */
export async function repository(cwd: string): Promise<{ root: string | null; head: string | null }> {
  const r = await git(cwd, ['rev-parse', '--show-toplevel', '--verify', '--quiet', 'HEAD^{commit}']);
  const [root = '', head = ''] = r.stdout.toString('utf8').split('\n');
  // 1: no commit yet (--quiet prints nothing for it); anything else is not a work tree.
  if (r.code === 0 && OBJECT_ID.test(head)) return { root, head };
  if (r.code === 1 && root !== '') return { root, head: null };
  return { root: await repoRoot(cwd), head: null };
}

/** Absolute repository root, or null outside a git work tree. */
export function repoRoot(cwd: string): Promise<string | null> {
  return gitText(cwd, ['rev-parse', '--show-toplevel']);
}

/** Full commit sha of a revision, or null when it does not name a commit here. */
export function resolveCommit(cwd: string, rev: string): Promise<string | null> {
  return gitText(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
}

/** A commit id as git prints it: SHA-1, or SHA-256 in a repository that uses it. */
const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit each revision names, as resolveCommit answers, in one git process instead of one per
 * revision. cat-file reads one name per line: a name with a line break or another control
 * character in it (or an empty one) goes to resolveCommit on its own, as does every name when
 * cat-file itself fails.
 */
export async function resolveCommits(cwd: string, revs: string[]): Promise<(string | null)[]> {
  const one = () => Promise.all(revs.map((rev) => resolveCommit(cwd, rev)));
  if (revs.some((rev) => rev === '' || /\p{Cc}/u.test(rev))) return one();
  const r = await git(
    cwd,
    ['cat-file', '--batch-check=%(objectname)'],
    revs.map((rev) => `${rev}^{commit}\n`).join(''),
  );
  const lines = r.stdout.toString('utf8').split('\n');
  if (r.code !== 0 || lines.length < revs.length) return one();
  return revs.map((_, i) => (OBJECT_ID.test(lines[i]!) ? lines[i]! : null));
}

export async function isShallow(cwd: string): Promise<boolean> {
  return (await gitText(cwd, ['rev-parse', '--is-shallow-repository'])) === 'true';
}

/** The best common ancestor of two commits, or null when they share no history. */
export function mergeBase(cwd: string, a: string, b: string): Promise<string | null> {
  return gitText(cwd, ['merge-base', a, b]);
}

/**
 * Paths (relative to the repository root) that differ between two commits; renames count as both paths.
 * git writes the list to a file, not a pipe: a diff started ahead of the config parse then runs to
 * its end while this process is busy, instead of stopping at a full pipe until it is read.
 */
export async function changedPaths(cwd: string, base: string, head: string, signal?: AbortSignal): Promise<string[]> {
  const r = await diffNames(cwd, [base, head], signal);
  if ('paths' in r) return r.paths;
  throw new GitError(['diff', '--name-only', base.slice(0, 12), head.slice(0, 12)], r.code, r.stderr);
}

/**
 * changedPaths from the merge-base of two commits (`git diff --merge-base`), without waiting for
 * `git merge-base` first; null when git does not diff them: they share no history, or have more
 * than one merge-base (git then refuses to choose).
 */
export async function changedPathsFromForkPoint(
  cwd: string,
  base: string,
  head: string,
  signal?: AbortSignal,
): Promise<string[] | null> {
  const r = await diffNames(cwd, ['--merge-base', base, head], signal);
  return 'paths' in r ? r.paths : null;
}

async function diffNames(
  cwd: string,
  revs: string[],
  signal?: AbortSignal,
): Promise<{ paths: string[] } | { code: number; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lci-diff-'));
  try {
    const list = join(dir, 'changed');
    const r = await git(
      cwd,
      ['diff', '--name-only', '--no-renames', '--no-ext-diff', '-z', `--output=${list}`, ...revs, '--'],
      undefined,
      signal,
    );
    if (r.code !== 0) return r;
    const text = readFileSync(list, 'utf8');
    return { paths: text === '' ? [] : text.split('\0').filter((p) => p !== '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tags that point at a commit (lightweight and annotated), sorted. */
export async function tagsPointingAt(cwd: string, commit: string): Promise<string[]> {
  const r = await git(cwd, ['tag', '--points-at', commit]);
  if (r.code !== 0) throw new GitError(['tag', '--points-at', commit.slice(0, 12)], r.code, r.stderr);
  return r.stdout
    .toString('utf8')
    .split('\n')
    .filter((t) => t !== '')
    .sort();
}
