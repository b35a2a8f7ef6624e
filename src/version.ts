import { readFileSync } from 'node:fs';

/** lci's own version, from its package.json. */
export function lciVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
