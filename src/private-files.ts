import { chmod, mkdir, writeFile } from 'node:fs/promises';

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
