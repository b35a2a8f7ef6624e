import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export const SEARCH_PLACES = [
  'lambdas.yaml',
  'lambdas.yml',
  '.lcirc',
  '.lcirc.yaml',
  '.lcirc.yml',
  '.lcirc.json',
  'package.json',
];

/** A config file larger than this is refused before it is parsed (a 20,000-function config is ~4 MB). */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export interface FoundConfig {
  filepath: string;
  text: string;
  /** Path of the lci section inside the file: ['lci'] for package.json. */
  root: string[];
}

/**
 * The config file: `--config` when given, else the first of SEARCH_PLACES found from `cwd`
 * upwards, stopping at `stopDir` (the repository root) when known. A package.json counts only
 * with an "lci" key. Only regular files of bounded size are read: a directory, a FIFO or a
 * device named as the config is one clear error, never a hang.
 */
export function findConfig(cwd: string, explicit?: string, stopDir?: string): FoundConfig {
  if (explicit) {
    const filepath = resolve(cwd, explicit);
    const text = readConfigFile(filepath, explicit);
    if (text === null) throw new UsageError(`config file not found: ${explicit}; pass an existing file to --config`);
    return { filepath, text, root: basename(filepath) === 'package.json' ? ['lci'] : [] };
  }
  const top = stopDir ? resolve(stopDir) : null;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of SEARCH_PLACES) {
      const filepath = join(dir, name);
      const text = readConfigFile(filepath, relative(cwd, filepath) || filepath);
      if (text === null) continue;
      if (name === 'package.json') {
        if (!hasLciKey(text, relative(cwd, filepath) || filepath)) continue;
        return { filepath, text, root: ['lci'] };
      }
      return { filepath, text, root: [] };
    }
    if (dir === top || dirname(dir) === dir) break;
  }
  throw new UsageError(
    `no lambdas.yaml found in ${cwd} or any parent directory${stopDir ? ` up to ${stopDir}` : ''}; create one (see README) or pass --config FILE`,
  );
}

/** The file's text; null when nothing is there. Anything but a readable regular file of bounded size is a usage error. */
export function readConfigFile(filepath: string, shown: string): string | null {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = openSync(filepath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'EACCES' || code === 'EPERM')
      throw new UsageError(`${shown} cannot be read (permission denied); make it readable or pass another --config`);
    if (code === 'ENXIO')
      throw new UsageError(`${shown} is not a regular file (a socket or FIFO); pass the path of a YAML or JSON file`);
    throw new UsageError(`${shown} cannot be opened (${code}); pass the path of a YAML or JSON file`);
  }
  try {
    const s = fstatSync(fd);
    if (s.isDirectory())
      throw new UsageError(
        `${shown} is a directory; pass the config file itself (e.g. ${join(shown, 'lambdas.yaml')})`,
      );
    if (!s.isFile())
      throw new UsageError(
        `${shown} is not a regular file (a device, FIFO or socket); pass the path of a YAML or JSON file`,
      );
    if (s.size > MAX_CONFIG_BYTES)
      throw new UsageError(`${shown} is ${s.size} bytes; lci reads config files of up to ${MAX_CONFIG_BYTES} bytes`);
    const buf = Buffer.alloc(s.size);
    let read = 0;
    while (read < s.size) {
      const n = readSync(fd, buf, read, s.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buf.subarray(0, read).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new UsageError(`${shown} is a directory; pass the config file itself`);
    throw new UsageError(
      `${shown} cannot be read (${code ?? (e as Error).message}); pass the path of a YAML or JSON file`,
    );
  } finally {
    closeSync(fd);
  }
}

/** A package.json is a config only with an "lci" key; one that does not parse is an error, not silently passed over. */
function hasLciKey(text: string, shown: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && 'lci' in parsed;
  } catch (e) {
    throw new UsageError(
      `${shown} is not valid JSON (${(e as Error).message.split('\n')[0]}); lci reads every package.json on its way up to find an "lci" key: fix it, or pass --config FILE`,
    );
  }
}
