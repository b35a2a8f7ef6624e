import { existsSync, readFileSync } from 'node:fs';

/**
 * lci's own version, from its package.json: the nearest one above this module, which is one level
 * up from dist/ (and src/) and two from a bundle chunk in dist/run/.
 */
export function lciVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    const file = new URL(up, import.meta.url);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  throw new Error(`lci's package.json was not found above ${import.meta.url}`);
}
