import { realpathSync } from 'node:fs';
import { join, relative, isAbsolute } from 'node:path';
import { readNamedFile } from '../named-file.js';

/** Lambda's limit on a synchronous Invoke payload: an event file above it could never be sent. */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;
export const EVENT_LIMIT = `Lambda takes events of at most ${MAX_EVENT_BYTES} bytes`;

/**
 * A smoke event file (repository-relative), read as Invoke will send it: a regular file that,
 * symlinks resolved, stays in the repository, at most 6 MB, holding JSON. The problem in words
 * (without the path) when it is not.
 */
export function readSmokeFile(root: string, repoFile: string): { payload: Buffer } | { problem: string } {
  const abs = join(root, repoFile);
  let real: string;
  try {
    real = realpathSync(abs);
  } catch {
    return { problem: 'does not exist' };
  }
  const rel = relative(realpathSync(root), real);
  if (rel.startsWith('..') || isAbsolute(rel)) return { problem: 'resolves outside the repository (a symbolic link)' };
  const file = readNamedFile(real, MAX_EVENT_BYTES, EVENT_LIMIT);
  if (!file.ok) return { problem: file.kind === 'directory' ? 'is a directory, not a JSON file' : file.problem };
  const payload = file.data;
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return { problem: `is not JSON (${(e as Error).message})` };
  }
  return { payload };
}
