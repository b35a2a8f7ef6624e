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
function readConfigFile(filepath: string, shown: string): string | null {
  const read = readBoundedFile(filepath);
  switch (read.kind) {
    case 'text':
      return read.text;
    case 'missing':
      return null;
    case 'denied':
      throw new UsageError(`${shown} cannot be read (permission denied); make it readable or pass another --config`);
    case 'directory':
      throw new UsageError(
        `${shown} is a directory; pass the config file itself (e.g. ${join(shown, 'lambdas.yaml')})`,
      );
    case 'special':
      throw new UsageError(`${shown} is not a regular file (${read.what}); pass the path of a YAML or JSON file`);
    case 'too-large':
      throw new UsageError(`${shown} is ${read.size} bytes; lci reads config files of up to ${MAX_CONFIG_BYTES} bytes`);
    case 'error':
      throw new UsageError(
        `${shown} cannot be ${read.opening ? 'opened' : 'read'} (${read.code}); pass the path of a YAML or JSON file`,
      );
  }
}

export type BoundedRead =
  | { kind: 'text'; text: string }
  | { kind: 'missing' }
  | { kind: 'denied' }
  | { kind: 'directory' }
  /** A socket, FIFO or device: `what` says which, as far as the open call could tell. */
  | { kind: 'special'; what: string }
  | { kind: 'too-large'; size: number }
  | { kind: 'error'; code: string; opening: boolean };

/**
 * A readable regular file of at most `maxBytes`, read without ever waiting: a FIFO is opened
 * non-blocking and refused, as are devices, sockets and directories. The config file and every
 * file `lci init` reads go through here.
 */
export function readBoundedFile(filepath: string, maxBytes = MAX_CONFIG_BYTES): BoundedRead {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = openSync(filepath, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
    if (code === 'ENXIO') return { kind: 'special', what: 'a socket or FIFO' };
    return { kind: 'error', code: code ?? (e as Error).message, opening: true };
  }
  try {
    const s = fstatSync(fd);
    if (s.isDirectory()) return { kind: 'directory' };
    if (!s.isFile()) return { kind: 'special', what: 'a device, FIFO or socket' };
    if (s.size > maxBytes) return { kind: 'too-large', size: s.size };
    const buf = Buffer.alloc(s.size);
    let read = 0;
    while (read < s.size) {
      const n = readSync(fd, buf, read, s.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return { kind: 'text', text: buf.subarray(0, read).toString('utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return { kind: 'directory' };
    return { kind: 'error', code: code ?? (e as Error).message, opening: false };
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
