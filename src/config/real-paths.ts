import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { inside } from '../vcs/paths.js';

export interface RealPath {
  /** The path with every symlink followed. */
  real: string;
  kind: 'file' | 'dir';
}

/**
 * Where paths really are (symlinks followed), remembered per directory. Checking a 20,000-function
 * config resolves each shared parent once; `realpathSync` would lstat every component of every
 * path again (2 s of `lci plan` there).
 */
export class RealPaths {
  private readonly known = new Map<string, RealPath | null>();

  /** An absolute, normalized path's real location and kind, or null when it does not exist. */
  of(abs: string): RealPath | null {
    const hit = this.known.get(abs);
    if (hit !== undefined) return hit;
    const parent = dirname(abs);
    let found: RealPath | null;
    if (parent === abs) found = { real: abs, kind: 'dir' };
    else {
      const up = this.of(parent);
      found = up?.kind === 'dir' ? entry(inside(up.real, basename(abs))) : null;
    }
    this.known.set(abs, found);
    return found;
  }
}

function entry(path: string): RealPath | null {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) return null;
    if (!st.isSymbolicLink()) return { real: path, kind: st.isDirectory() ? 'dir' : 'file' };
    const real = realpathSync.native(path);
    return { real, kind: statSync(real).isDirectory() ? 'dir' : 'file' };
  } catch {
    // A dangling link, a loop, or a component that is not a directory: nothing is there.
    return null;
  }
}
