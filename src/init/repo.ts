import { realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative } from 'node:path';
import { MAX_CONFIG_BYTES } from '../config/find.js';
import { readNamedFile } from '../named-file.js';
import { RealPaths } from '../config/real-paths.js';
import { trackedIndex, trackedPaths, type Tracked } from '../vcs/tracked.js';

/** How much lci init reads in one run, whatever the repository holds: hostile repositories are input like any other. */
export const MAX_FILES_READ = 2000;
export const MAX_BYTES_READ = 256 * 1024 * 1024;

export type Located = { path: string } | { problem: string };
export type Read = { text: string } | { problem: string };

/**
 * The repository as lci init sees it: the files git tracks, and the files it reads, each a
 * regular file of bounded size (the config file's checks) whose real location, symlinks
 * followed, is inside the repository. The only place init touches the file system.
 */
export class RepoView {
  private readonly tracked: Tracked;
  private readonly real = new RealPaths();
  private readonly realRoot: string;
  private filesRead = 0;
  private bytesRead = 0;

  constructor(
    /** Absolute path of the repository root. */
    readonly root: string,
    /** Every tracked path, sorted. */
    readonly files: readonly string[],
  ) {
    this.tracked = trackedIndex([...files]);
    this.realRoot = realpathSync.native(root);
  }

  static async open(root: string): Promise<RepoView> {
    return new RepoView(root, (await trackedPaths(root)).sort());
  }

  /**
   * A path a source wrote, relative to the directory `fromDir` (repository-relative), as a
   * normalized repository path; or why it cannot be used: absolute, leaving the repository,
   * a symlink out of it, or nothing there.
   */
  resolve(fromDir: string, written: string): Located {
    if (written.includes('\0')) return { problem: 'holds a NUL character' };
    if (isAbsolute(written) || /^[A-Za-z]:[\\/]/.test(written))
      return { problem: 'is an absolute path; lci init reads only paths inside the repository' };
    const path = posix.normalize(posix.join(fromDir || '.', written)).replace(/\/+$/, '');
    if (path === '..' || path.startsWith('../')) return { problem: 'leaves the repository' };
    const rel = path === '.' ? '' : path;
    const found = this.real.of(join(this.root, rel));
    if (!found) return { problem: 'does not exist' };
    if (!this.inside(found.real)) return { problem: 'resolves outside the repository (a symlink out of it)' };
    return { path: rel };
  }

  private inside(real: string): boolean {
    const rel = relative(this.realRoot, real);
    return !rel.startsWith('..') && !isAbsolute(rel);
  }

  kind(path: string): 'file' | 'dir' | 'missing' {
    return this.real.of(join(this.root, path))?.kind ?? 'missing';
  }

  /** The text of a resolved path, if it is a regular file of bounded size and the run's budget allows. */
  read(path: string): Read {
    if (this.filesRead >= MAX_FILES_READ)
      return { problem: `not read: lci init reads at most ${MAX_FILES_READ} files in one run` };
    const found = this.real.of(join(this.root, path));
    if (!found) return { problem: 'does not exist' };
    if (!this.inside(found.real)) return { problem: 'resolves outside the repository (a symlink out of it)' };
    const budget = Math.min(MAX_CONFIG_BYTES, MAX_BYTES_READ - this.bytesRead);
    const r = readNamedFile(
      found.real,
      budget,
      budget < MAX_CONFIG_BYTES
        ? `lci init reads at most ${MAX_BYTES_READ} bytes in one run`
        : `lci init reads files of up to ${MAX_CONFIG_BYTES} bytes`,
    );
    if (!r.ok) return { problem: r.kind === 'missing' ? 'does not exist' : r.problem };
    this.filesRead++;
    this.bytesRead += r.data.length;
    return { text: r.data.toString('utf8') };
  }

  isTracked(path: string): boolean {
    return this.tracked.has(path);
  }

  /** True when git tracks a file below the directory ('' is the root). */
  hasTrackedUnder(dir: string): boolean {
    return this.tracked.hasUnder(dir);
  }

  /** Tracked files directly in the directory, by name. */
  filesIn(dir: string): string[] {
    const prefix = dir ? `${dir}/` : '';
    return this.under(dir)
      .map((p) => p.slice(prefix.length))
      .filter((rest) => !rest.includes('/'));
  }

  /** Directories directly in `dir` that hold a tracked file, by name, sorted. */
  subdirs(dir: string): string[] {
    const prefix = dir ? `${dir}/` : '';
    const names = new Set<string>();
    for (const p of this.under(dir)) {
      const rest = p.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) names.add(rest.slice(0, slash));
    }
    return [...names].sort();
  }

  /** Tracked paths below the directory (all of them for the root). */
  under(dir: string): string[] {
    if (dir === '') return [...this.files];
    const prefix = `${dir}/`;
    let lo = 0;
    let hi = this.files.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.files[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < this.files.length && this.files[i]!.startsWith(prefix); i++) out.push(this.files[i]!);
    return out;
  }
}

/** Directories lci init never looks into for sources: dependencies, build outputs, tool state. */
const SKIPPED_DIRS = new Set(['node_modules', '.aws-sam', '.serverless', '.terraform', 'cdk.out', '.git', '.lci']);

export function inSkippedDir(path: string): boolean {
  return path.split('/').some((segment) => SKIPPED_DIRS.has(segment));
}
