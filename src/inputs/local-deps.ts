import { posix } from 'node:path';
import type { ReadMany } from '../vcs/readers.js';
import type { RuntimeFamily } from '../config/runtimes.js';

/**
 * Local path dependencies of a descriptor: the paths inside the repository whose contents end up
 * in the dependency layer. A change under any of them changes the function.
 * Pure apart from `read`, which returns a repository file's text or null.
 */

export interface LocalDependency {
  /** Repository-relative path of the dependency (a directory, wheel or tarball) or of an included requirements file. */
  path: string;
  /** Repository-relative descriptor that names it. */
  via: string;
}

export async function localDependencies(family: RuntimeFamily, descriptor: string, read: ReadMany): Promise<LocalDependency[]> {
  const found = new Map<string, LocalDependency>();
  const visited = new Set<string>([descriptor]);
  let frontier = [descriptor];
  while (frontier.length > 0) {
    const texts = await read(frontier);
    const next: string[] = [];
    for (const file of frontier) {
      const text = texts.get(file);
      if (text == null) continue;
      const refs = family === 'python' ? requirementsReferences(text) : packageJsonReferences(text);
      for (const ref of refs) {
        const target = inRepo(posix.dirname(file), ref.path);
        if (target === null || found.has(target)) continue;
        found.set(target, { path: target, via: file });
        // Follow what the dependency itself names: included requirement files, a local package's package.json.
        const follow = family === 'python' ? (ref.include ? target : null) : posix.join(target, 'package.json');
        if (follow && !visited.has(follow)) {
          visited.add(follow);
          next.push(follow);
        }
      }
    }
    frontier = next;
  }
  return [...found.values()];
}

interface Reference {
  path: string;
  /** A requirements file pulled in with -r / -c, to be read in turn. */
  include: boolean;
}

/** Local references in a pip requirements file: -r/-c includes, -e paths, path lines, `name @ file:` URLs, -f directories. */
export function requirementsReferences(text: string): Reference[] {
  const refs: Reference[] = [];
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const option = /^(-r|--requirement|-c|--constraint|-e|--editable|-f|--find-links)(?:\s+|=)(\S+)/.exec(line);
    if (option) {
      const include = ['-r', '--requirement', '-c', '--constraint'].includes(option[1]!);
      const p = include ? option[2]! : localPath(option[2]!);
      if (p !== null) refs.push({ path: p, include });
      continue;
    }
    if (line.startsWith('-')) continue;
    const spec = line.split(';')[0]!.trim();
    const at = /^\S+\s*@\s*(\S+)/.exec(spec);
    const p = localPath(at ? at[1]! : spec.split(/\s+/)[0]!);
    if (p !== null) refs.push({ path: p, include: false });
  }
  return refs;
}

/** Local references in package.json's runtime dependencies (dev dependencies never reach the layer). */
export function packageJsonReferences(text: string): Reference[] {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return [];
  }
  const refs: Reference[] = [];
  for (const field of ['dependencies', 'optionalDependencies']) {
    const deps = pkg[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const spec of Object.values(deps as Record<string, unknown>)) {
      if (typeof spec !== 'string') continue;
      const m = /^(?:file:|link:)(.+)$/.exec(spec);
      const p = m ? m[1]! : /^\.{1,2}\//.test(spec) ? spec : null;
      if (p !== null) refs.push({ path: p.replace(/^\/\/(?=\/)/, ''), include: false });
    }
  }
  return refs;
}

/** A requirement token that names a local path, without extras or URL fragments; null for index packages and remote URLs. */
function localPath(token: string): string | null {
  let t = token.replace(/#.*$/, '');
  if (t.startsWith('file://')) t = t.slice('file://'.length);
  else if (t.startsWith('file:')) t = t.slice('file:'.length);
  else if (!/^(\.{1,2}(\/|$)|\/)/.test(t)) return null;
  return t.replace(/\[[^\]]*\]$/, '') || null;
}

/** Resolves a reference relative to the file that names it; null when it is absolute or leaves the repository. */
function inRepo(dir: string, p: string): string | null {
  if (p.startsWith('/')) return null;
  const joined = posix.normalize(posix.join(dir, p)).replace(/\/+$/, '');
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined === '.' ? '' : joined;
}
