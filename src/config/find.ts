import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import { UsageError } from '../errors.js';

export const SEARCH_PLACES = ['lambdas.yaml', 'lambdas.yml', '.lcirc', '.lcirc.yaml', '.lcirc.yml', '.lcirc.json', 'package.json'];

export interface FoundConfig {
  filepath: string;
  text: string;
  /** Path of the lci section inside the file: ['lci'] for package.json. */
  root: string[];
}

/**
 * The config file: `--config` when given, else the first of SEARCH_PLACES found
 * from `cwd` upwards, stopping at `stopDir` (the repository root) when known.
 */
export async function findConfig(cwd: string, explicit?: string, stopDir?: string): Promise<FoundConfig> {
  if (explicit) {
    const filepath = resolve(cwd, explicit);
    if (!existsSync(filepath)) throw new UsageError(`config file not found: ${explicit}; pass an existing file to --config`);
    return { filepath, text: await readFile(filepath, 'utf8'), root: basename(filepath) === 'package.json' ? ['lci'] : [] };
  }
  const texts = new Map<string, string>();
  // Only used to locate the file: lci parses it itself to keep source positions.
  const remember = (filepath: string, content: string) => {
    texts.set(filepath, content);
    return { found: true };
  };
  const explorer = cosmiconfig('lci', {
    searchPlaces: SEARCH_PLACES,
    packageProp: 'lci',
    searchStrategy: 'global',
    stopDir: stopDir ?? '/',
    cache: false,
    loaders: { '.yaml': remember, '.yml': remember, noExt: remember, '.json': packageAwareLoader(remember) },
  });
  const result = await explorer.search(cwd);
  const inside = result && (!stopDir || result.filepath.startsWith(stopDir));
  if (!result || !inside) {
    throw new UsageError(
      `no lambdas.yaml found in ${cwd} or any parent directory${stopDir ? ` up to ${stopDir}` : ''}; create one (see README) or pass --config FILE`,
    );
  }
  const filepath = result.filepath;
  return { filepath, text: texts.get(filepath) ?? (await readFile(filepath, 'utf8')), root: basename(filepath) === 'package.json' ? ['lci'] : [] };
}

/** package.json is only a config when it has an "lci" key; cosmiconfig reads the key from what the loader returns. */
function packageAwareLoader(remember: (f: string, c: string) => object) {
  return (filepath: string, content: string) => {
    if (basename(filepath) !== 'package.json') return remember(filepath, content);
    try {
      const parsed = JSON.parse(content) as Record<string, unknown>;
      return parsed.lci === undefined ? {} : { lci: remember(filepath, content) };
    } catch {
      return {};
    }
  };
}
