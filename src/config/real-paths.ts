import { constants, type Dirent, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import { inside } from '../vcs/paths.js';

export interface RealPath {
  /** The path with every symlink followed. */
  real: string;
  kind: 'file' | 'dir';
}

/** Entries looked up in one directory before it is listed once instead (thousands of function paths share a parent). */
const LIST_AFTER = 64;

/** Opens a file only when its last component is no symlink (undefined where the platform has no such flag). */
const NO_FOLLOW = constants.O_NOFOLLOW === undefined ? undefined : constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * Where paths really are (symlinks followed), remembered per directory. Checking a 20,000-function
 * config resolves each shared parent once; `realpathSync` would lstat every component of every
 * path again (2 s of `lci plan` there). A directory asked about many times is listed once (its
 * entries' types come with the listing, so its 20,000 function directories cost one system call,
 * not 20,000), and a file read through `text` tells what it is on the way.
 */
export class RealPaths {
  private readonly known = new Map<string, RealPath | null>();
  /** Per real directory: its entries by name once listed, else how often it was asked about. */
  private readonly listings = new Map<string, Map<string, Dirent> | number>();
  /** Files `probe` read, until `text` asks for them. */
  private readonly read = new Map<string, string>();

  /** An absolute, normalized path's real location and kind, or null when it does not exist. */
  of(abs: string): RealPath | null {
    const hit = this.known.get(abs);
    if (hit !== undefined) return hit;
    const parent = dirname(abs);
    let found: RealPath | null;
    if (parent === abs) found = { real: abs, kind: 'dir' };
    else {
      const up = this.of(parent);
      found = up?.kind === 'dir' ? this.entry(up.real, basename(abs)) : null;
    }
    this.known.set(abs, found);
    return found;
  }

  /**
   * Reads a file ahead of the checks, when its directory really is inside `within` and the file
   * itself is no symlink (then what it is needs no lstat of its own), and keeps the text for
   * `text`. Nothing is read through a symlink here: whether one leaves the repository is for the
   * checks to say before anything reads through it.
   */
  probe(abs: string, within: string): void {
    if (NO_FOLLOW === undefined || this.known.has(abs)) return;
    const parent = dirname(abs);
    const up = parent === abs ? null : this.of(parent);
    if (up?.kind !== 'dir' || !(up.real === within || up.real.startsWith(within.endsWith(sep) ? within : within + sep)))
      return;
    try {
      // Node takes numeric open flags too, though its types name only strings.
      const text = readFileSync(abs, { encoding: 'utf8', flag: NO_FOLLOW as unknown as string });
      this.known.set(abs, { real: inside(up.real, basename(abs)), kind: 'file' });
      this.read.set(abs, text);
    } catch {
      // A symlink, a directory, nothing there, no permission: the lookup asks the file system.
    }
  }

  /** The text of a file, symlinks followed, or null when it cannot be read (as readFileSync would say). */
  text(abs: string): string | null {
    const probed = this.read.get(abs);
    if (probed !== undefined) {
      this.read.delete(abs);
      return probed;
    }
    try {
      return readFileSync(abs, 'utf8');
    } catch {
      return null;
    }
  }

  private entry(dir: string, name: string): RealPath | null {
    const listed = this.listing(dir)?.get(name);
    // A name the listing lacks may still be there under another case (case-insensitive file systems): ask.
    if (listed?.isDirectory()) return { real: inside(dir, name), kind: 'dir' };
    if (listed?.isFile()) return { real: inside(dir, name), kind: 'file' };
    return entry(inside(dir, name));
  }

  private listing(dir: string): Map<string, Dirent> | undefined {
    const seen = this.listings.get(dir) ?? 0;
    if (typeof seen !== 'number') return seen;
    if (seen + 1 < LIST_AFTER) {
      this.listings.set(dir, seen + 1);
      return undefined;
    }
    let entries: Map<string, Dirent> | undefined;
    try {
      entries = new Map(readdirSync(dir, { withFileTypes: true }).map((d) => [d.name, d] as const));
    } catch {
      entries = new Map();
    }
    this.listings.set(dir, entries);
    return entries;
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
