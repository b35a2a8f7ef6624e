import { posix } from 'node:path';
import { pathProblem, repoPath } from './globs.js';
import { isRecord, type PathSegment } from './source.js';
import type { ListDirs } from '../vcs/readers.js';

/**
 * Function families: one entry of `functions:` whose key holds one `*` and whose `pathPattern`
 * has one `*` segment expands, before anything is validated, into one function per matching
 * directory: `"sync-*": { pathPattern: jobs/* }` gives `sync-a` for `jobs/a`, and `${dir}` in
 * any string of the entry becomes the directory's name. Every member is then checked, resolved
 * and planned as if it were written out; its problems point at the family's lines.
 */

export interface Expansion {
  /** The config data with each family replaced by its members, in place. */
  data: Record<string, unknown>;
  /** member name → family key */
  members: Map<string, string>;
  problems: FamilyProblem[];
}

export interface FamilyProblem {
  path: PathSegment[];
  message: string;
  anchor: 'key' | 'value';
  severity: 'error' | 'warning';
}

const MEMBER_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export function isFamilyKey(key: string): boolean {
  return key.includes('*');
}

export function expandFamilies(data: Record<string, unknown>, configDirInRepo: string, listDirs: ListDirs): Expansion {
  const members = new Map<string, string>();
  const problems: FamilyProblem[] = [];
  const functions = data.functions;
  if (
    !isRecord(functions) ||
    !Object.entries(functions).some(([k, v]) => isFamilyKey(k) || (isRecord(v) && 'pathPattern' in v))
  )
    return { data, members, problems };
  const report = (
    path: PathSegment[],
    message: string,
    anchor: 'key' | 'value' = 'value',
    severity: 'error' | 'warning' = 'error',
  ) => problems.push({ path, message, anchor, severity });
  const written = new Set(Object.keys(functions).filter((k) => !isFamilyKey(k)));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(functions)) {
    const hasPattern = isRecord(value) && 'pathPattern' in value;
    if (!isFamilyKey(key)) {
      if (hasPattern)
        report(
          ['functions', key, 'pathPattern'],
          `a family's name holds one '*' that each directory's name replaces (e.g. '${key}-*'); or write path: for one function`,
          'key',
        );
      else out[key] = value;
      continue;
    }
    if (!isRecord(value)) continue; // the schema reports it
    if ((key.match(/\*/g) ?? []).length !== 1) {
      report(['functions', key], `a family's name holds exactly one '*' (the directory's name goes there)`, 'key');
      continue;
    }
    if (!hasPattern) {
      report(
        ['functions', key],
        `a family (a name with '*') needs pathPattern: the directories it makes functions of, e.g. 'jobs/*'`,
        'key',
      );
      continue;
    }
    if ('path' in value) report(['functions', key, 'path'], `set either 'path' or 'pathPattern', not both`, 'key');
    const pattern = value.pathPattern;
    if (typeof pattern !== 'string') continue; // the schema reports it
    const problem = patternProblem(pattern, configDirInRepo);
    if (problem) {
      report(['functions', key, 'pathPattern'], problem);
      continue;
    }
    const dirs = matchingDirs(pattern, configDirInRepo, listDirs);
    if (dirs.length === 0)
      report(
        ['functions', key, 'pathPattern'],
        `'${pattern}' matches no directory: the family has no functions`,
        'value',
        'warning',
      );
    for (const { dir, path } of dirs) {
      const name = key.replace('*', dir);
      if (!MEMBER_NAME.test(name)) {
        report(
          ['functions', key],
          `directory '${path}' would make the function '${name}', which is not a valid name (lowercase letters, digits and dashes, starting with a letter, at most 64 characters); rename the directory`,
          'key',
        );
        continue;
      }
      if (written.has(name) || members.has(name)) {
        const other = members.get(name);
        report(
          ['functions', key],
          `directory '${path}' makes the function '${name}', which ${other ? `family '${other}' makes too` : 'is also written out'}`,
          'key',
        );
        continue;
      }
      const { pathPattern: _pattern, ...fields } = value;
      out[name] = { path, ...(substitute(fields, dir) as Record<string, unknown>) };
      members.set(name, key);
    }
  }
  return { data: { ...data, functions: out }, members, problems };
}

function patternProblem(pattern: string, configDirInRepo: string): string | undefined {
  const problem = pathProblem(pattern);
  if (problem) return problem;
  const segments = pattern.replace(/\/+$/, '').split('/');
  const stars = segments.filter((s) => s.includes('*'));
  if (stars.length !== 1 || stars[0] !== '*')
    return `needs exactly one '*' segment, a whole directory name (jobs/*, services/*/lambda)`;
  if (repoPath(configDirInRepo, segments.slice(0, segments.indexOf('*')).join('/') || '.') === null)
    return `'${pattern}' leaves the repository`;
  return undefined;
}

/** Directories matching the pattern, sorted by name: the `*` segment's value and the config-relative path. */
function matchingDirs(pattern: string, configDirInRepo: string, listDirs: ListDirs): { dir: string; path: string }[] {
  const segments = pattern.replace(/\/+$/, '').split('/');
  const at = segments.indexOf('*');
  const prefix = segments.slice(0, at).join('/');
  const suffix = segments.slice(at + 1);
  const parent = repoPath(configDirInRepo, prefix || '.')!;
  const out: { dir: string; path: string }[] = [];
  for (const dir of [...listDirs(parent)].filter((d) => !d.startsWith('.')).sort()) {
    let where = parent ? `${parent}/${dir}` : dir;
    let ok = true;
    for (const s of suffix) {
      if (!listDirs(where).includes(s)) {
        ok = false;
        break;
      }
      where = `${where}/${s}`;
    }
    if (ok) out.push({ dir, path: posix.join(prefix || '.', dir, ...suffix) });
  }
  return out;
}

/** Every `${dir}` in every string (deep) replaced by the directory's name. */
function substitute(value: unknown, dir: string): unknown {
  if (typeof value === 'string') return value.split('${dir}').join(dir);
  if (Array.isArray(value)) return value.map((v) => substitute(v, dir));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, dir)]));
  return value;
}
