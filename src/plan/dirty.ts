import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LoadedProject } from '../config/load.js';
import { toPosix } from '../config/load.js';
import type { ResolvedFunction } from '../config/types.js';
import { inputRules } from '../inputs/function-inputs.js';
import { globRule } from '../inputs/rules.js';
import { worktreeReader } from '../vcs/readers.js';
import { dirtyTrackedPaths } from '../vcs/tracked.js';
import { matchChanges } from './affected.js';

export interface DirtyInputs {
  /** Per function: its uncommitted input paths (at most a few shown). */
  byFunction: Map<string, string[]>;
  /** Short hash over every uncommitted path of the work tree and its content now. */
  hash: string;
}

/**
 * Uncommitted changes (staged or not) to tracked files that are a selected function's inputs:
 * its packaged files, descriptor and lockfiles, local dependencies, watch and shared globs, and
 * the config file itself. Untracked files are never packaged, so they do not count. Null: clean.
 */
export async function dirtyInputs(loaded: LoadedProject, targets: ResolvedFunction[]): Promise<DirtyInputs | null> {
  if (!loaded.inRepo) return null;
  const dirty = await dirtyTrackedPaths(loaded.root);
  if (dirty.length === 0) return null;
  const configInRepo = toPosix(relative(loaded.root, loaded.project.configFile));
  const selected = new Map(targets.map((r) => [r.name, [r]]));
  const rules = await inputRules(selected, loaded.configDirInRepo, worktreeReader(loaded.root));
  const shared = loaded.project.shared.map((g) => globRule('shared', loaded.configDirInRepo, g));
  const matches = matchChanges(dirty, rules, shared, new Set());
  const byFunction = new Map<string, string[]>();
  for (const r of targets) {
    const own = (matches.own.get(r.name)?.reasons ?? []).map((x) => x.path!);
    const paths = [
      ...new Set([
        ...(dirty.includes(configInRepo) ? [configInRepo] : []),
        ...own,
        ...matches.shared.reasons.map((x) => x.path!),
      ]),
    ];
    if (paths.length > 0) byFunction.set(r.name, paths);
  }
  if (byFunction.size === 0) return null;
  const hash = createHash('sha256');
  for (const p of [...dirty].sort()) {
    hash.update(`${p}\0`);
    try {
      hash.update(readFileSync(join(loaded.root, p)));
    } catch {
      hash.update('\0deleted\0');
    }
  }
  return { byFunction, hash: hash.digest('hex').slice(0, 12) };
}

/** `<sha>-dirty-<hash>`: a dirty tree never borrows its commit's name. */
export function dirtySourceVersion(sha: string, hash: string): string {
  return `${sha}-dirty-${hash}`;
}

/** The commit a source version was built on, and whether it carried uncommitted changes. */
export function parseSourceVersion(v: string): { commit: string | null; dirty: boolean } {
  const m = /^([0-9a-f]{7,64})(-dirty-[0-9a-f]+)?$/.exec(v);
  return m ? { commit: m[1]!, dirty: m[2] !== undefined } : { commit: null, dirty: false };
}
