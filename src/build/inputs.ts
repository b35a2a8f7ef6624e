import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { isLockfile } from '../config/runtimes.js';
import type { ResolvedFunction } from '../config/types.js';
import { collectFiles } from '../package/collect.js';
import { descriptorPath } from '../plan/affected.js';
import { localDependencies } from '../plan/local-deps.js';
import { worktreeReader } from '../vcs/readers.js';
import { BUILD_ENV, imageFor, RECIPE_VERSION } from './recipes.js';

/** What a dependency build reads: the descriptor, lockfiles beside it, local path dependencies (repository-relative). */
export interface DependencyInputs {
  descriptor: string;
  lockfiles: string[];
  localDeps: string[];
}

/** Null when the function has no dependencies (descriptor: false, or a defaulted descriptor that does not exist). */
export async function dependencyInputs(r: ResolvedFunction, root: string, configDirInRepo: string): Promise<DependencyInputs | null> {
  if (!r.descriptor) return null;
  const descriptor = descriptorPath(r, configDirInRepo);
  const read = worktreeReader(root);
  if ((await read([descriptor])).get(descriptor) == null) return null;
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
const DEPENDENCY_JUNK = picomatch(['**/.git/**', '**/__pycache__/**', '**/*.pyc', '**/node_modules/**', '**/*.egg-info/**', '**/build/**', '**/.DS_Store'], { dot: true });

/**
 * The dependency cache key: descriptor, lockfiles and every file of the local dependencies (by
 * content), runtime, architecture, image, build environment and recipe version. Equal keys
 * build equal layers, so they build once and any machine can tell, without Docker, whether
 * dependencies changed.
 */
export async function dependencyKey(r: ResolvedFunction, inputs: DependencyInputs, root: string): Promise<string> {
  const hash = createHash('sha256');
  const field = (k: string, v: string) => hash.update(`${k}\0${v}\0`);
  field('recipe', RECIPE_VERSION[r.family]);
  field('runtime', r.runtime);
  field('architecture', r.architecture);
  field('image', imageFor(r));
  for (const [k, v] of Object.entries({ ...BUILD_ENV, ...r.build.env }).sort(([a], [b]) => (a < b ? -1 : 1))) field(`env ${k}`, v);
  // Paths relative to the descriptor: moving a whole service with its libraries keeps its key.
  const base = posix.dirname(inputs.descriptor);
  for (const file of [inputs.descriptor, ...inputs.lockfiles]) {
    field(`file ${posix.relative(base, file)}`, sha256(await readFile(join(root, file))));
  }
  for (const dep of inputs.localDeps) {
    const entries = await collectFiles({ root: join(root, dep), boundary: root, label: dep, packaged: (rel) => !DEPENDENCY_JUNK(rel) }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTDIR') throw e;
      return null; // a file (a wheel, a tarball)
    });
    if (entries === null) {
      field(`dep ${posix.relative(base, dep)}`, sha256(await readFile(join(root, dep))));
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const content = await readFile((e.source as { path: string }).path);
      field(`dep ${posix.relative(base, dep)}/${e.name}${e.executable ? ' +x' : ''}`, sha256(content));
    }
  }
  return hash.digest('hex').slice(0, 32);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
