import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * lci's own files under `.lci/` (zips, manifests, logs, the dependency cache, build scratch) are
 * readable by the user only: a build log can hold what a package index printed, a layer what a
 * private index served.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) as 0700, and narrows it to 0700 when an older lci made it wider. */
export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

export async function writePrivateFile(path: string, data: string | Buffer): Promise<void> {
  await writeFile(path, data, { mode: PRIVATE_FILE_MODE });
  await chmod(path, PRIVATE_FILE_MODE); // the mode above only applies when the file is created
}

/**
 * lci's directory in the user's cache directory (`$XDG_CACHE_HOME/lci`, else `~/.cache/lci`), for
 * what is the user's alone and kept between runs and repositories: the config checks' signing key,
 * V8's compile cache. Null when there is no home to put it in.
 */
export function userCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'lci');
  const home = env.HOME ?? homedir();
  return home ? join(home, '.cache', 'lci') : null;
}
