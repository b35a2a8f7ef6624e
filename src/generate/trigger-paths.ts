import picomatch from 'picomatch';
import { isLockfile } from '../config/runtimes.js';
import type { ResolvedFunction } from '../config/types.js';
import type { InputRule } from '../inputs/rules.js';

/**
 * CodePipeline V2 push trigger limits (API reference: GitConfiguration.push holds 1 to 3
 * GitPushFilter; GitFilePathFilterCriteria.includes and .excludes hold 1 to 8 patterns each).
 * Push filters are ORed, the criteria inside one filter ANDed ("Trigger filtering in the pipeline
 * JSON", CodePipeline user guide), so one branch's paths spread over 3 filters: 24 paths.
 */
export const MAX_PUSH_FILTERS = 3;
export const MAX_PATHS_PER_FILTER = 8;
export const MAX_TRIGGER_PATHS = MAX_PUSH_FILTERS * MAX_PATHS_PER_FILTER;
/** Each pattern is 1 to 255 characters long (GitFilePathFilterCriteria; the aws provider checks it at plan). */
export const MAX_PATTERN_LENGTH = 255;

/** One GitPushFilter's file paths. */
export interface PushFilter {
  includes: string[];
  excludes: string[];
}

/** A pattern: a literal repository path (escaped when written) and the glob syntax after it. */
interface Pattern {
  literal: string;
  rest: string;
}

/**
 * The repository globs whose changes should start a function's pipeline: the same inputs `lci
 * plan` uses (path, descriptor and its lockfiles, local dependencies, watch and shared globs) plus
 * the config file. A pattern inside another's `dir/**` is dropped. Pure; `isDir` tells a local
 * dependency directory from a file (a wheel, a tarball, an included requirements file).
 * Literal parts are escaped for CodePipeline's glob syntax (java.nio glob: `\` escapes).
 */
export function triggerPaths(rules: InputRule[], configInRepo: string, isDir: (repoPath: string) => boolean): string[] {
  return dedupe(triggerPatterns(rules, configInRepo, isDir)).map(write);
}

function triggerPatterns(rules: InputRule[], configInRepo: string, isDir: (repoPath: string) => boolean): Pattern[] {
  const out: Pattern[] = [{ literal: configInRepo, rest: '' }];
  for (const rule of rules) {
    const t = rule.test;
    if (t.form === 'glob')
      out.push(t.base ? { literal: t.base, rest: t.glob.slice(t.base.length) } : { literal: '', rest: t.glob });
    else if (t.form === 'lockfile') out.push(tree(t.dir, '*'));
    // A code root's pattern ends in '**'; a build input or a local dependency may be a file.
    else if (rule.pattern.endsWith('**') || isDir(t.prefix)) out.push(tree(t.prefix, '**'));
    else out.push({ literal: t.prefix, rest: '' });
  }
  return out;
}

const tree = (dir: string, glob: string): Pattern =>
  dir ? { literal: dir, rest: `/${glob}` } : { literal: '', rest: glob };
const raw = (p: Pattern) => p.literal + p.rest;

function dedupe(patterns: Pattern[]): Pattern[] {
  const unique = new Map(patterns.map((p) => [raw(p), p]));
  if (unique.has('**')) return [{ literal: '', rest: '**' }];
  const trees = [...unique.values()].filter((p) => p.rest === '/**').map((p) => `${p.literal}/`);
  const dirs = [...unique.values()].filter((p) => p.rest === '/*').map((p) => `${p.literal}/`);
  if (unique.has('*')) dirs.push('');
  const coveredByTree = (p: Pattern) => trees.some((dir) => raw(p) !== `${dir}**` && raw(p).startsWith(dir));
  // 'dir/*' covers the files directly in dir (a descriptor beside its lockfiles).
  const coveredByDir = (p: Pattern) =>
    p.rest === '' && dirs.some((dir) => p.literal.startsWith(dir) && !p.literal.slice(dir.length).includes('/'));
  return [...unique.values()]
    .filter((p) => !coveredByTree(p) && !coveredByDir(p))
    .sort((a, b) => (raw(a) < raw(b) ? -1 : raw(a) > raw(b) ? 1 : 0));
}

function write(p: Pattern): string {
  return escapeGlob(p.literal) + p.rest;
}

/** A literal path as a java.nio glob that matches only itself. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]{}]/g, (c) => `\\${c}`);
}

/**
 * The function's `exclude` globs as trigger excludes (repository-relative), so a change to a file
 * that is never packaged starts no pipeline, as it affects nothing in `lci plan`. An exclude is
 * kept only when it cannot match another input of the function (descriptor, lockfiles, local
 * dependencies, watch and shared globs, the config file, an `include`): dropping one only costs
 * a run that deploys nothing, keeping a wrong one would miss a release. At most 8.
 */
export function triggerExcludes(
  r: Pick<ResolvedFunction, 'root' | 'exclude' | 'include' | 'family' | 'build'>,
  rules: InputRule[],
  configInRepo: string,
): string[] {
  if (!r.root) return []; // a function at the repository root triggers on everything anyway
  if (r.build.command !== null) return []; // its excludes are about build.output; a build may read any file under its path
  const others = [
    configInRepo,
    ...rules.flatMap((rule) =>
      rule.kind === 'path'
        ? []
        : rule.test.form === 'glob'
          ? [rule.test.base]
          : rule.test.form === 'tree'
            ? [rule.test.prefix]
            : [],
    ),
    ...r.include.map((g) => join(r.root, picomatch.scan(g).base)),
  ];
  const lockfileDirs = rules.flatMap((rule) => (rule.test.form === 'lockfile' ? [rule.test.dir] : []));
  const lockfileNames = LOCKFILE_NAMES.filter((n) => isLockfile(r.family, n));
  const kept: string[] = [];
  for (const glob of r.exclude) {
    const base = picomatch.scan(glob).base;
    const dir = join(r.root, base);
    const full = base ? `${dir}${glob.slice(base.length)}` : `${dir}/${glob}`;
    const matches = picomatch(full, { dot: true });
    // 'dir/*.md' reaches only the files directly in dir; 'dir/**' everything below
    const shallow = !full.slice(dir.length + 1).includes('/') && !full.includes('**');
    const above = (other: string) => other === '' || other === dir || dir.startsWith(`${other}/`);
    const blocks = (other: string) =>
      above(other) ||
      (shallow ? other.slice(0, other.lastIndexOf('/')) === dir && matches(other) : other.startsWith(`${dir}/`));
    if (others.some(blocks)) continue;
    const reachesLockfile = (d: string) =>
      shallow ? d === dir && lockfileNames.some((n) => matches(`${d}/${n}`)) : d === dir || d.startsWith(`${dir}/`);
    if (lockfileDirs.some(reachesLockfile)) continue;
    kept.push(`${escapeGlob(dir)}${full.slice(dir.length)}`);
  }
  return [...new Set(kept)].sort().slice(0, MAX_PATHS_PER_FILTER);
}

/** Names a lockfile may have (config/runtimes.ts decides per runtime family which are). */
const LOCKFILE_NAMES = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  '.npmrc',
  'requirements.txt',
  'requirements.in',
  'requirements-dev.txt',
  'constraints.txt',
  'poetry.lock',
  'Pipfile',
  'Pipfile.lock',
  'pyproject.toml',
  'uv.lock',
  'pdm.lock',
  'pip.conf',
];

const join = (a: string, b: string) => (b ? (a ? `${a}/${b}` : b) : a);

/**
 * Up to 24 paths as up to 3 push filters of 8, each with the excludes; or, when CodePipeline cannot
 * express them (more paths, a pattern over 255 characters, everything: '**'), why the pipeline
 * starts on every push of its branch instead.
 */
export function pushFilters(includes: string[], excludes: string[]): { filters: PushFilter[] } | { everyPush: string } {
  if (includes.includes('**')) return { everyPush: 'the function covers the whole repository' };
  if (includes.length > MAX_TRIGGER_PATHS)
    return {
      everyPush: `${includes.length} trigger paths exceed CodePipeline's limit of ${MAX_TRIGGER_PATHS} (3 push filters of 8)`,
    };
  const long = includes.find((p) => p.length > MAX_PATTERN_LENGTH);
  if (long !== undefined)
    return {
      everyPush: `trigger path ${JSON.stringify(long.slice(0, 60))}… is longer than CodePipeline's ${MAX_PATTERN_LENGTH} characters`,
    };
  const kept = excludes.filter((p) => p.length <= MAX_PATTERN_LENGTH);
  const filters: PushFilter[] = [];
  for (let i = 0; i < includes.length; i += MAX_PATHS_PER_FILTER)
    filters.push({ includes: includes.slice(i, i + MAX_PATHS_PER_FILTER), excludes: kept });
  return { filters };
}
