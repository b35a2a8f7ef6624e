import picomatch from 'picomatch';
import type { ResolvedFunction } from '../config/types.js';
import type { InputRule } from '../inputs/rules.js';
import { DEFAULT_EXCLUDES } from '../inputs/package-filter.js';
import { overlaps, type Token } from './iam-patterns.js';

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
      out.push(
        ...nioPatterns(t.base ? { literal: t.base, rest: t.glob.slice(t.base.length) } : { literal: '', rest: t.glob }),
      );
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
 * A function's push filters, following what `lci plan` decides: a change under its path affects
 * it when the file is packaged (an `include` names it, or no exclude, lci's defaults or the
 * function's, leaves it out); any other input (descriptor, lockfiles, local dependencies, watch
 * and shared globs, shared layers, the config file) affects it whatever the excludes say. So the
 * path's tree sits in filters that carry the excludes, with the inputs that lie outside the path;
 * the includes, and every input that lies under the path or above it, sit in filters without
 * excludes (filters are ORed; inside one, an exclude wins over an include). Where CodePipeline's
 * globs (java.nio) could match less than picomatch does, an input widens to its directory's
 * tree, and an exclude that could match more is left out: both only start a run that deploys
 * nothing. More than 3 filters: the excludes go; more than 24 paths: every push (why, instead).
 */
export function triggerFilters(
  r: Pick<ResolvedFunction, 'root' | 'exclude' | 'include' | 'family' | 'build' | 'descriptorPath'>,
  rules: InputRule[],
  configInRepo: string,
  isDir: (repoPath: string) => boolean,
): { filters: PushFilter[] } | { everyPush: string } {
  const patterns = triggerPatterns(rules, configInRepo, isDir);
  const excludes = r.root && r.build.command === null ? treeExcludes(r) : [];
  const plain = () => pushFilters(dedupe([...patterns, ...includePatterns(r)]).map(write), []);
  if (excludes.length === 0) return plain();
  const tree = `${r.root}/`;
  const outside = (p: Pattern) => {
    if (p.literal === r.root || p.literal.startsWith(tree)) return false; // under the path
    return !(p.rest !== '' && (p.literal === '' || r.root.startsWith(`${p.literal}/`))); // a glob above reaches into it
  };
  const isTree = (p: Pattern) => p.literal === r.root && p.rest === '/**';
  const excluded = excludes.map(globTokens);
  const excludable = (p: Pattern) => excluded.some((e) => overlaps(globTokens(write(p)), e));
  const alongside = (p: Pattern) => isTree(p) || outside(p) || !excludable(p);
  const free = dedupe(patterns.filter(alongside));
  const guarded = dedupe([...patterns.filter((p) => !alongside(p)), ...includePatterns(r)]);
  if (guarded.some((p) => raw(p) === '**' || raw(p) === `${r.root}/**`)) return plain(); // the excludes would filter nothing
  const chunks = (list: string[]) =>
    Array.from({ length: Math.ceil(list.length / MAX_PATHS_PER_FILTER) }, (_, i) =>
      list.slice(i * MAX_PATHS_PER_FILTER, (i + 1) * MAX_PATHS_PER_FILTER),
    );
  const filters = [
    ...chunks(free.map(write)).map((includes) => ({ includes, excludes })),
    ...chunks(guarded.map(write)).map((includes) => ({ includes, excludes: [] as string[] })),
  ];
  if (filters.length > MAX_PUSH_FILTERS) return plain();
  const long = filters.flatMap((f) => f.includes).find((p) => p.length > MAX_PATTERN_LENGTH);
  if (long !== undefined) return plain();
  return { filters };
}

/** A java.nio glob as tokens that match at least what it matches (a class reads as any one character, a group as any run). */
function globTokens(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') out.push({ lit: glob[++i] ?? '' });
    else if (c === '*' && glob[i + 1] === '*') {
      out.push({ run: 'any' });
      i++;
    } else if (c === '*') out.push({ run: 'segment' });
    else if (c === '?') out.push({ one: 'segment' });
    else if ((c === '[' && glob.indexOf(']', i + 2) > 0) || (c === '{' && glob.indexOf('}', i) > 0)) {
      out.push(c === '[' ? { one: 'segment' } : { run: 'any' });
      i = glob.indexOf(c === '[' ? ']' : '}', c === '[' ? i + 2 : i);
    } else out.push({ lit: c });
  }
  return out;
}

/** The function's `include` globs under its path, as patterns CodePipeline matches at least as widely. */
function includePatterns(r: Pick<ResolvedFunction, 'root' | 'include'>): Pattern[] {
  return r.include.flatMap((g) => {
    const base = picomatch.scan(g).base;
    return nioPatterns({ literal: join(r.root, base), rest: base ? g.slice(base.length) : `/${g}` });
  });
}

/**
 * A glob as patterns CodePipeline's java.nio matcher reads at least as widely as picomatch does.
 * nio reads `**` as any run of characters, so a `**` segment between two others needs at least
 * one directory there, where picomatch's also matches none: such a glob becomes two patterns,
 * with and without that segment. Anything else nio reads differently (more such segments, `**`
 * inside a name, extglobs, `[^…]` classes) becomes its literal directory's whole tree.
 */
function nioPatterns(p: Pattern): Pattern[] {
  const body = p.rest === '**' ? '' : p.rest.endsWith('/**') ? p.rest.slice(0, -3) : p.rest; // a whole tree reads alike
  const whole = [tree(p.literal, '**')];
  if (/[@!+*?]\(|\[\^|[^/]\*\*/.test(body) || body.replaceAll('**/', '').includes('**')) return whole;
  const deep = body.split('**/').length - 1;
  if (deep === 0) return [p];
  return deep === 1 ? [p, { literal: p.literal, rest: p.rest.replace('**/', '') }] : whole;
}

/**
 * What packaging leaves out of the function's path as CodePipeline excludes, repository-relative:
 * its own excludes first, then lci's defaults (at most 8). A glob java.nio could match more widely
 * than picomatch (`**` inside a name, extglobs, `[^…]`) is left out: an exclude must never stop a
 * run `lci plan` would call affected.
 */
function treeExcludes(r: Pick<ResolvedFunction, 'root' | 'exclude' | 'family' | 'descriptorPath'>): string[] {
  const globs = [
    ...r.exclude,
    ...(r.family === 'nodejs' && r.descriptorPath !== null ? ['**/node_modules/**', 'node_modules/**'] : []),
    ...DEFAULT_EXCLUDES.all.filter((g) => g !== '**/.git/**'), // git tracks nothing there
    ...(r.family === 'python' ? DEFAULT_EXCLUDES.python : []),
  ];
  const out: string[] = [];
  for (const glob of globs) {
    if (/[@!+*?]\(|\[\^/.test(glob) || /[^/]\*\*|\*\*[^/]/.test(glob)) continue;
    const base = picomatch.scan(glob).base;
    const dir = join(r.root, base);
    out.push(`${escapeGlob(dir)}${base ? glob.slice(base.length) : `/${glob}`}`);
  }
  return [...new Set(out)].slice(0, MAX_PATHS_PER_FILTER);
}

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
