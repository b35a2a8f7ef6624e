import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PackageError } from '../errors.js';
import type { ZipEntry } from '../package/zip.js';

export interface CollectOptions {
  /** Directory to package. */
  root: string;
  /** Symlinks may point anywhere inside this directory (the repository), never outside it. */
  boundary: string;
  /** Shown in errors: the root relative to the repository. */
  label: string;
  packaged?: (relPath: string) => boolean;
  prunable?: (relDir: string) => boolean;
}

/**
 * Every file under `root` that goes into the package, as zip entries named relative to `root`.
 * A symlink is stored as the file (or tree) it points to; one that leaves `boundary` is an error.
 *
 * Synchronous on purpose: a promise per file for 20,000 files cost ~8x the time and ~150 MB.
 */
export async function collectFiles(opts: CollectOptions): Promise<ZipEntry[]> {
  const out: ZipEntry[] = [];
  const packaged = opts.packaged ?? (() => true);
  const prunable = opts.prunable ?? (() => false);
  const boundary = realpathSync(opts.boundary);

  function walk(dir: string, rel: string, ancestors: Set<string>): void {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const name = rel ? `${rel}/${d.name}` : d.name;
      const abs = join(dir, d.name);
      if (d.isDirectory()) {
        if (!prunable(name)) walk(abs, name, ancestors);
      } else if (d.isFile()) {
        if (packaged(name)) out.push(fileEntry(name, abs));
      } else if (d.isSymbolicLink()) {
        followLink(name, abs, ancestors);
      }
      // sockets, FIFOs and devices are not packaged
    }
  }

  function followLink(name: string, abs: string, ancestors: Set<string>): void {
    const shown = `${opts.label}/${name}`;
    let target: string;
    try {
      target = realpathSync(abs);
    } catch {
      throw new PackageError(`${shown} is a broken symlink; remove it or point it at a file in the repository`);
    }
    const inside = relative(boundary, target);
    if (inside === '..' || inside.startsWith(`..${sep}`) || inside === target) {
      throw new PackageError(`${shown} is a symlink to ${target}, outside the repository; copy the file into the repository instead`);
    }
    const s = statSync(target);
    if (s.isDirectory()) {
      if (ancestors.has(target)) throw new PackageError(`${shown} is a symlink loop (it points back at ${target})`);
      if (!prunable(name)) walk(target, name, new Set([...ancestors, target]));
    } else if (s.isFile() && packaged(name)) {
      out.push({ name, source: { path: target }, size: s.size, executable: (s.mode & 0o111) !== 0 });
    }
  }

  const rootReal = realpathSync(opts.root);
  walk(rootReal, '', new Set([rootReal]));
  return out;
}

function fileEntry(name: string, abs: string): ZipEntry {
  const s = statSync(abs);
  return { name, source: { path: abs }, size: s.size, executable: (s.mode & 0o111) !== 0 };
}
