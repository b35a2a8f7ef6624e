import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { declaresDependencies } from '../config/dependency-checks.js';
import { isLockfile } from '../config/runtimes.js';
import type { ResolvedFunction } from '../config/types.js';
import { worktreeReader } from '../vcs/readers.js';
import { collectFiles } from './files.js';
import { localDependencies } from '../config/local-deps.js';

/** What a dependency build reads: the descriptor, lockfiles beside it, local path dependencies (repository-relative). */
export interface DependencyInputs {
  descriptor: string;
  lockfiles: string[];
  localDeps: string[];
}

/**
 * Null when the function has no dependencies: descriptor: false, a defaulted descriptor that does
 * not exist, or one that declares nothing to install (comments and options only; a package.json
 * without dependencies). Then no layer is built or attached.
 */
export async function dependencyInputs(r: ResolvedFunction, root: string): Promise<DependencyInputs | null> {
  if (r.descriptorPath === null) return null;
  const descriptor = r.descriptorPath;
  const read = worktreeReader(root);
  const text = (await read([descriptor])).get(descriptor);
  if (text == null || !declaresDependencies(r.family, text)) return null;
  const dir = posix.dirname(descriptor);
  const siblings = await readdir(join(root, dir), { withFileTypes: true });
  const lockfiles = siblings
    .filter((d) => d.isFile() && isLockfile(r.family, d.name) && posix.join(dir, d.name) !== descriptor)
    .map((d) => posix.join(dir, d.name))
    .sort();
  const localDeps = (await localDependencies(r.family, descriptor, read)).map((d) => d.path).sort();
  return { descriptor, lockfiles, localDeps };
}

/** Files inside local dependencies that never change what gets installed. */
const DEPENDENCY_JUNK = picomatch(['**/.git/**', '**/__pycache__/**', '**/*.pyc', '**/node_modules/**', '**/*.egg-info/**', '**/build/**', '**/.DS_Store'], {
  dot: true,
});

/**
 * Every input file's content, as (name, sha256) pairs in a stable order: the descriptor, the
 * lockfiles and every file of the local dependencies. Names are relative to the descriptor's
 * directory, so moving a whole service with its libraries keeps its hashes.
 */
export async function dependencyFileHashes(inputs: DependencyInputs, root: string): Promise<[name: string, sha256: string][]> {
  const out: [string, string][] = [];
  const base = posix.dirname(inputs.descriptor);
  for (const file of [inputs.descriptor, ...inputs.lockfiles]) {
    out.push([`file ${posix.relative(base, file)}`, sha256(await readFile(join(root, file)))]);
  }
  for (const dep of inputs.localDeps) {
    const entries = await collectFiles({ root: join(root, dep), boundary: root, label: dep, packaged: (rel) => !DEPENDENCY_JUNK(rel) }).catch(
      async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOTDIR') throw e;
        return null; // a file (a wheel, a tarball)
      },
    );
    if (entries === null) {
      out.push([`dep ${posix.relative(base, dep)}`, sha256(await readFile(join(root, dep)))]);
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const content = await readFile((e.source as { path: string }).path);
      out.push([`dep ${posix.relative(base, dep)}/${e.name}${e.executable ? ' +x' : ''}`, sha256(content)]);
    }
  }
  return out;
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
