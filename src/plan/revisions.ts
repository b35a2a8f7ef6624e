import {
  changedPaths,
  changedPathsFromForkPoint,
  isShallow,
  mergeBase,
  repoRoot,
  resolveCommit,
  resolveCommits,
} from '../vcs/git.js';
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

/** Head, the checked-out commit and the base, resolved in one git process. */
async function resolveShas(dir: string, opts: RevisionOptions): Promise<Shas> {
  const choice = chooseBase(opts.base, opts.environ);
  const withBase = choice !== null && !ZERO_SHA.test(choice.rev);
  const [head, checkedOut, base] = await resolveCommits(dir, [
    opts.head ?? 'HEAD',
    'HEAD',
    ...(withBase ? [choice.rev] : []),
  ]);
  return [head ?? null, checkedOut ?? null, base ?? null];
}

type Shas = [string | null, string | null, string | null];

/** Given resolved shas, the git processes of the diff start before this first yields. */
async function startRevisions(
  root: string,
  opts: RevisionOptions,
  shas: Shas | Promise<Shas> = resolveShas(root, opts),
): Promise<Started> {
  const headRev = opts.head ?? 'HEAD';
  const choice = chooseBase(opts.base, opts.environ);
  const [head, checkedOut, baseSha] = Array.isArray(shas) ? shas : await shas;
  if (!head) throw new UsageError(`--head ${headRev} does not name a commit in ${root}`);
  if (!choice) throw new UsageError(NO_BASE_HELP);
  // A revision a person typed that names nothing is a mistake; only an absent full sha (what CI
  // systems pass) means missing history, and then every function is planned.
  if (!baseSha && choice.typed && !ZERO_SHA.test(choice.rev) && !FULL_SHA.test(choice.rev)) {
    const what = choice.from === '--base' ? `--base ${choice.rev}` : `LCI_BASE=${choice.rev}`;
    throw new UsageError(
      `${what} does not name a commit in this clone; ${missingRevisionHint(choice.rev, await isShallow(root))}`,
    );
  }
  // The diff from the merge-base starts beside `git merge-base`, not after it: one round of git
  // processes fewer before the config loads. Where git will not pick the merge-base itself (none,
  // or several), the diff runs again from the one `git merge-base` names.
  const fromForkPoint = baseSha ? changedPathsFromForkPoint(root, baseSha, head, opts.signal) : null;
  fromForkPoint?.catch(() => {}); // awaited below once the base is usable
  const fork = baseSha ? await mergeBase(root, baseSha, head) : null;
  const problem = await baseUnavailable(root, choice.rev, baseSha, fork, head);
  if (problem) return { ok: false, rev: choice.rev, baseFrom: choice.from, head, problem };
  const changed = fromForkPoint!.then((paths) => paths ?? changedPaths(root, fork!, head, opts.signal));
  return { ok: true, base: baseSha!, mergeBase: fork!, baseFrom: choice.from, head, checkedOut, changed };
}

/** Revisions being resolved for the repository at `root`, started before the config is loaded. */
export interface RevisionsAhead {
  root: string;
  revisions: Promise<Revisions>;
}

/**
 * Starts resolving the revisions of the repository around `cwd` and returns once the diff runs:
 * in a large repository it takes seconds, which then pass while the config parses. One round of
 * git processes (the root, and every revision at once) is waited for; `git merge-base` and the
 * diff then run while the config loads. A problem (an unknown --head) is kept for when the
 * revisions are used, so config errors still come first.
 */
export async function revisionsAhead(cwd: string, opts: RevisionOptions): Promise<RevisionsAhead | undefined> {
  // The revisions resolve while git finds the repository: from any directory inside it, they name the same commits.
  const shas = resolveShas(cwd, opts);
  shas.catch(() => {}); // outside a repository nobody waits for them
  const root = await repoRoot(cwd);
  if (!root) return undefined;
  let revisions: Promise<Revisions>;
  try {
    revisions = startRevisions(root, opts, await shas).then(finished);
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

/**
 * What to run when a revision a person typed is not in the clone: a command git accepts. `git
 * fetch origin HEAD~1` is not one (a fetch takes a ref or a full sha, never `~`); a revision some
 * commits back in a shallow clone needs that much more history: `git fetch --deepen=N`. Pure.
 */
export function missingRevisionHint(rev: string, shallow: boolean): string {
  const steps = ancestrySteps(rev);
  const fetchable = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(rev) && !rev.includes('..');
  if (shallow && steps > 0)
    return `this clone is shallow (git clone --depth), so ${rev} may lie beyond its history: fetch ${steps} more commit${steps === 1 ? '' : 's'} (git fetch --deepen=${steps}), or all of them (git fetch --unshallow)`;
  if (shallow)
    return `this clone is shallow (git clone --depth): fetch it${fetchable ? ` (git fetch origin ${rev})` : ''}, or the whole history (git fetch --unshallow)`;
  return fetchable ? `check the spelling, or fetch it (git fetch origin ${rev})` : 'check the spelling';
}

/** Commits `~N` and `^` step back from the revision they follow (`HEAD~2^` is 3), 0 without them. */
function ancestrySteps(rev: string): number {
  const suffix = /(?:~\d*|\^\d*)+$/.exec(rev)?.[0] ?? '';
  let steps = 0;
  for (const m of suffix.matchAll(/~(\d*)|\^\d*/g)) steps += m[0].startsWith('~') ? Number(m[1] || 1) : 1;
  return steps;
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
