import { changedPaths, isShallow, mergeBase, repoRoot, resolveCommit } from '../vcs/git.js';
import { chooseBase, FULL_SHA, NO_BASE_HELP, ZERO_SHA } from './base.js';
import { UsageError } from '../errors.js';

/** What a plan compares: base and head commits and the paths that differ, or why the base cannot be used. */
export type Revisions =
  /** `changed`: the paths that differ between the merge-base of base and head, and head (as Nx compares). */
  | {
      ok: true;
      base: string;
      mergeBase: string;
      baseFrom: string;
      head: string;
      checkedOut: string | null;
      changed: string[];
    }
  | { ok: false; rev: string; baseFrom: string; head: string; problem: string };

/** Chooses base (flag, LCI_BASE, the CI's variables) and head, and lists the changed paths. Only git here. */
export async function resolveRevisions(root: string, opts: RevisionOptions): Promise<Revisions> {
  return finished(await startRevisions(root, opts));
}

export interface RevisionOptions {
  base?: string;
  head?: string;
  environ: NodeJS.ProcessEnv;
  /** Stops a diff still running (its result is no longer wanted). */
  signal?: AbortSignal;
}

/** Revisions once base and head are known, with the diff (the slow part) still running. */
type Started =
  | Exclude<Revisions, { ok: true }>
  | (Omit<Extract<Revisions, { ok: true }>, 'changed'> & { changed: Promise<string[]> });

/** The revisions once the diff has run. */
async function finished(started: Started): Promise<Revisions> {
  return started.ok ? { ...started, changed: await started.changed } : started;
}

async function startRevisions(root: string, opts: RevisionOptions): Promise<Started> {
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
  // A revision a person typed that names nothing is a mistake; only an absent full sha (what CI
  // systems pass) means missing history, and then every function is planned.
  if (!baseSha && choice.typed && !ZERO_SHA.test(choice.rev) && !FULL_SHA.test(choice.rev)) {
    const what = choice.from === '--base' ? `--base ${choice.rev}` : `LCI_BASE=${choice.rev}`;
    throw new UsageError(
      `${what} does not name a commit in this clone; check the spelling, or fetch it (git fetch origin ${choice.rev})`,
    );
  }
  const fork = baseSha ? await mergeBase(root, baseSha, head) : null;
  const problem = await baseUnavailable(root, choice.rev, baseSha, fork, head);
  if (problem) return { ok: false, rev: choice.rev, baseFrom: choice.from, head, problem };
  return {
    ok: true,
    base: baseSha!,
    mergeBase: fork!,
    baseFrom: choice.from,
    head,
    checkedOut,
    changed: changedPaths(root, fork!, head, opts.signal),
  };
}

/** Revisions being resolved for the repository at `root`, started before the config is loaded. */
export interface RevisionsAhead {
  root: string;
  revisions: Promise<Revisions>;
}

/**
 * Starts resolving the revisions of the repository around `cwd` and returns once the diff runs:
 * in a large repository it takes seconds, which then pass while the config parses. A problem
 * (an unknown --head) is kept for when the revisions are used, so config errors still come first.
 */
export async function revisionsAhead(cwd: string, opts: RevisionOptions): Promise<RevisionsAhead | undefined> {
  const root = await repoRoot(cwd);
  if (!root) return undefined;
  let revisions: Promise<Revisions>;
  try {
    revisions = finished(await startRevisions(root, opts));
  } catch (e) {
    revisions = Promise.reject(e);
  }
  revisions.catch(() => {}); // handled where it is awaited, or never wanted
  return { root, revisions };
}

/** Changed paths from a known base commit (plan --since deployed: one per deployed source version). */
export async function changedSince(
  root: string,
  base: string,
  head: string,
): Promise<{ changed: string[] } | { problem: string }> {
  const sha = await resolveCommit(root, base);
  const problem = await baseUnavailable(root, base, sha, sha ? await mergeBase(root, sha, head) : null, head);
  if (problem) return { problem };
  return { changed: await changedPaths(root, sha!, head) };
}

/** Why the base cannot be compared with, or null when it can. */
async function baseUnavailable(
  root: string,
  rev: string,
  sha: string | null,
  fork: string | null,
  head: string,
): Promise<string | null> {
  if (ZERO_SHA.test(rev))
    return `base ${rev.slice(0, 7)}… is the all-zero sha (a new branch or tag has no previous commit)`;
  if (!sha) {
    const hint = (await isShallow(root))
      ? 'this is a shallow clone: fetch the history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)'
      : 'check the revision, or fetch it (git fetch origin <rev>)';
    return `base ${rev} is not a commit in this clone; ${hint}`;
  }
  if (!fork) return `base ${sha.slice(0, 7)} and head ${head.slice(0, 7)} share no history`;
  return null;
}
