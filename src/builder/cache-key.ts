import { createHash } from 'node:crypto';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { dependencyFileHashes, type DependencyInputs } from '../inputs/dependency-inputs.js';
import { BUILD_ENV, imageFor, RECIPE_VERSION } from './recipes.js';

/**
 * The dependency cache key: descriptor, lockfiles and every file of the local dependencies (by
 * content), runtime, architecture, image, build environment and recipe version. Equal keys
 * build equal layers, so they build once and any machine can tell, without Docker, whether
 * dependencies changed.
 */
export async function dependencyKey(r: ResolvedFunction, inputs: DependencyInputs, ws: Workspace): Promise<string> {
  const hash = createHash('sha256');
  const field = (k: string, v: string) => hash.update(`${k}\0${v}\0`);
  field('recipe', RECIPE_VERSION[r.family]);
  field('runtime', r.runtime);
  field('architecture', r.architecture);
  field('image', imageFor(r));
  for (const [k, v] of Object.entries({ ...BUILD_ENV, ...r.build.env }).sort(([a], [b]) => (a < b ? -1 : 1))) field(`env ${k}`, v);
  for (const [name, digest] of await dependencyFileHashes(inputs, ws)) field(name, digest);
  return hash.digest('hex').slice(0, 32);
}
