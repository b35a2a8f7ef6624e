import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ResolvedFunction } from '../config/types.js';
import type { Tracked } from '../vcs/tracked.js';
import { ignoreRule } from '../vcs/tracked.js';
import { leftOutBy, packageFilter } from './package-filter.js';

/**
 * Why a code package came out with no file, in one line. Lambda refuses an empty zip ("Uploaded
 * file must be a non-empty zip"), so packaging stops here and says which directory was looked at
 * and what kept each of its files out: not tracked by git (and the ignore rule, when one applies),
 * or excluded (by which glob). Runs only when nothing was found, so it may walk the whole directory.
 */

type Subject = Pick<ResolvedFunction, 'family' | 'exclude' | 'include' | 'descriptorPath'>;

/** Files looked at, at most: enough to name the reasons, bounded on a huge ignored tree. */
const MAX_FILES = 100_000;
const EXAMPLES = 2;
const UNTRACKED = 'not tracked by git';

/** A function's own files: `dir` is its path (absolute), `label` that path in the repository. */
export async function nothingToPackage(
  r: Subject,
  dir: string,
  label: string,
  git?: { root: string; index: Tracked; rootInRepo: string },
): Promise<string> {
  const files = listFiles(dir);
  if (files.length === 0) return `nothing to package in ${label}/: it holds no files (Lambda refuses an empty zip)`;
  const reasons = new Map<string, string[]>();
  const filter = packageFilter(r);
  for (const rel of files) {
    const excluded = leftOutBy(r, rel);
    const untracked = git !== undefined && !filter.included(rel) && !git.index.has(posix.join(git.rootInRepo, rel));
    const reason = excluded !== null ? `excluded by ${excluded}` : untracked ? UNTRACKED : null;
    if (reason === null) continue; // kept by the filter: a symlink or special file collectFiles skipped
    const list = reasons.get(reason) ?? [];
    list.push(rel);
    reasons.set(reason, list);
  }
  if (reasons.size === 0)
    return `nothing to package in ${label}/: none of its ${files.length} files goes into the zip (Lambda refuses an empty zip)`;
  let ignored: string | null = null;
  const untracked = reasons.get(UNTRACKED);
  if (git && untracked) ignored = await ignoreRule(git.root, posix.join(git.rootInRepo, untracked[0]!));
  return explain(
    label,
    files.length,
    reasons,
    ignored,
    'commit them (git add), or name files made outside git in include',
  );
}

/** What a function's build.command wrote to its build.output `dir` (shown as `label`). */
export function nothingBuilt(r: Subject, dir: string, label: string): string {
  const files = listFiles(dir);
  if (files.length === 0)
    return `nothing to package: build.command wrote no file to build.output ${label}/ (Lambda refuses an empty zip); make the command write the function's code there`;
  const reasons = new Map<string, string[]>();
  for (const rel of files) {
    const reason = `excluded by ${leftOutBy(r, rel) ?? 'exclude'}`;
    reasons.set(reason, [...(reasons.get(reason) ?? []), rel]);
  }
  return explain(label, files.length, reasons, null, '');
}

function explain(
  label: string,
  count: number,
  reasons: Map<string, string[]>,
  ignored: string | null,
  untrackedFix: string,
): string {
  const parts = [...reasons.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([reason, paths]) => {
      const examples = paths.slice(0, EXAMPLES).map((p) => `${label}/${p}`);
      if (paths.length > EXAMPLES) examples.push('…');
      const which = paths.length < count ? `${paths.length}` : count === 1 ? 'its one file' : `all ${count} files`;
      return `${which} ${paths.length === 1 ? 'is' : 'are'} ${reason}: ${examples.join(', ')}`;
    });
  if (ignored) parts.push(`git ignores them (${ignored})`);
  const fixes: string[] = [];
  if (reasons.has(UNTRACKED)) fixes.push(untrackedFix);
  if ([...reasons.keys()].some((k) => k !== UNTRACKED && !k.includes('dependency layer')))
    fixes.push('narrow exclude or name the files in include');
  const capped = count >= MAX_FILES ? ` (the first ${MAX_FILES} files looked at)` : '';
  return `nothing to package in ${label}/${capped}: ${parts.join('; ')}; Lambda refuses an empty zip${fixes.length > 0 ? `: ${fixes.join(', or ')}` : ''}`;
}

/** Every file and symlink under `dir`, relative to it, '/'-separated; `.git` directories are not entered. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return; // unreadable or gone: nothing to name
    }
    for (const d of entries) {
      if (out.length >= MAX_FILES) return;
      const name = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (d.name !== '.git') walk(join(abs, d.name), name);
      } else if (d.isFile() || d.isSymbolicLink()) out.push(name);
    }
  };
  walk(dir, '');
  return out.sort();
}
