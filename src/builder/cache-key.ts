import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Workspace } from '../config/types.js';
import type { BuildSubject } from '../inputs/build-inputs.js';
import { dependencyFileHashes, type DependencyFile, type DependencyInputs } from '../inputs/dependency-inputs.js';
import { fileSha256 } from '../package/file-hash.js';
import { BUILD_ENV, COMMAND_RECIPE_VERSION, imageFor, RECIPE_VERSION } from './recipes.js';

/**
 * The dependency cache key: descriptor, lockfiles and every file of the local dependencies (by
 * content), runtime, architecture, image, build environment and recipe version. Equal keys
 * build equal layers, so they build once and any machine can tell, without Docker, whether
 * dependencies changed.
 */
export async function dependencyKey(
  r: BuildSubject,
  inputs: DependencyInputs,
  ws: Workspace,
  extra: Record<string, string> = {},
): Promise<string> {
  const hash = createHash('sha256');
  const field = (k: string, v: string) => hash.update(`${k}\0${v}\0`);
  field('recipe', RECIPE_VERSION[r.family]);
  field('runtime', r.runtime);
  field('architecture', r.architecture);
  field('image', imageFor(r));
  for (const [k, v] of Object.entries({ ...BUILD_ENV, ...r.build.env }).sort(([a], [b]) => (a < b ? -1 : 1)))
    field(`env ${k}`, v);
  for (const [name, digest] of await dependencyFileHashes(inputs, ws)) field(name, digest);
  // pip's working directory, when build.workdir moves it off the descriptor's (relative to it, as the file names are).
  if (inputs.workdir !== undefined) field('workdir', posix.relative(posix.dirname(inputs.descriptor), inputs.workdir));
  // A shared layer's compatible runtimes and architectures: a change publishes a new version.
  for (const [k, v] of Object.entries(extra)) field(k, v);
  return hash.digest('hex').slice(0, 32);
}

/**
 * A build command's key: what it runs (command, output, image, environment, runtime, architecture,
 * recipe version) and every file it reads, by content and executable bit, named relative to its
 * path. Equal keys give equal outputs (for a deterministic build), so an output is built once and
 * a deploy can tell, without building, that nothing changed.
 */
export async function commandKey(s: BuildSubject, files: DependencyFile[]): Promise<string> {
  const hash = createHash('sha256');
  const field = (k: string, v: string) => hash.update(`${k}\0${v}\0`);
  field('recipe', COMMAND_RECIPE_VERSION);
  field('runtime', s.runtime);
  field('architecture', s.architecture);
  field('image', imageFor(s));
  field('command', s.build.command ?? '');
  field('output', s.build.output ?? '');
  for (const [k, v] of Object.entries({ ...BUILD_ENV, ...s.build.env }).sort(([a], [b]) => (a < b ? -1 : 1)))
    field(`env ${k}`, v);
  for (const f of files)
    field(
      `file ${posix.relative(s.root, f.repoPath)}${f.executable ? ' +x' : ''}`,
      (await fileSha256(f.abs)) ?? 'unreadable',
    );
  return hash.digest('hex').slice(0, 32);
}
