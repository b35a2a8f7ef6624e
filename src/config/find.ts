import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readNamedFile } from '../named-file.js';

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
  /** The file as read: decoded (and its encoding checked) where it can be located, by the loader. */
  bytes: Buffer;
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
    const bytes = readConfigFile(filepath, explicit);
    if (bytes === null) throw new UsageError(`config file not found: ${explicit}; pass an existing file to --config`);
    return { filepath, bytes, root: basename(filepath) === 'package.json' ? ['lci'] : [] };
  }
  const top = stopDir ? resolve(stopDir) : null;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of SEARCH_PLACES) {
      const filepath = join(dir, name);
      const bytes = readConfigFile(filepath, relative(cwd, filepath) || filepath);
      if (bytes === null) continue;
      if (name === 'package.json') {
        if (!hasLciKey(bytes.toString('utf8'), relative(cwd, filepath) || filepath)) continue;
        return { filepath, bytes, root: ['lci'] };
      }
      return { filepath, bytes, root: [] };
    }
    if (dir === top || dirname(dir) === dir) break;
  }
  throw new UsageError(
    `no lambdas.yaml found in ${cwd} or any parent directory${stopDir ? ` up to ${stopDir}` : ''}; write one (lci init, or docs/configuration.md) or pass --config FILE`,
  );
}

/** The file's bytes; null when nothing is there. Anything but a readable regular file of bounded size is a usage error. */
function readConfigFile(filepath: string, shown: string): Buffer | null {
  const file = readNamedFile(filepath, MAX_CONFIG_BYTES, `lci reads config files of up to ${MAX_CONFIG_BYTES} bytes`);
  if (file.ok) return file.data;
  if (file.kind === 'missing') return null;
  if (file.kind === 'directory')
    throw new UsageError(`${shown} is a directory; pass the config file itself (e.g. ${join(shown, 'lambdas.yaml')})`);
  const fix = {
    denied: 'make it readable or pass another --config',
    'too-large': 'pass another --config',
    'not-regular': 'pass the path of a YAML or JSON file',
    unreadable: 'pass the path of a YAML or JSON file',
  }[file.kind];
  throw new UsageError(`${shown} ${file.problem}; ${fix}`);
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
