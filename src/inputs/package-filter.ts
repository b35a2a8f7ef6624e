import picomatch from 'picomatch';
import { globTest } from './glob-test.js';
import type { ResolvedFunction } from '../config/types.js';

/**
 * Which files under a function's path go into its code package. One definition, used by `plan`
 * (a change to a file that is never packaged does not affect the function) and by packaging.
 */
export const DEFAULT_EXCLUDES: Record<'all' | 'python', string[]> = {
  all: ['**/.git/**', '**/.DS_Store', '**/.env', '**/.env.*'],
  python: ['**/__pycache__/**', '**/*.pyc', '**/node_modules/**'],
};

export interface PackageFilter {
  /** True when a file (path relative to the function's root) goes into the package. */
  packaged(relPath: string): boolean;
  /** True when an `include` glob names the file: packaged even when git does not track it (a build output). */
  included(relPath: string): boolean;
  /** True when nothing under this directory can be packaged, so a walk need not enter it. */
  prunable(relDir: string): boolean;
  /** True when an `include` glob may name this path or something below it (judged by the globs' fixed prefixes). */
  mayInclude(relPath: string): boolean;
}

type Subject = Pick<ResolvedFunction, 'family' | 'exclude' | 'include' | 'descriptorPath'>;

/** A nodejs function whose package.json builds the layer never ships its own node_modules, whatever include says. */
const LAYER_OWNS = globTest(['**/node_modules/**', 'node_modules/**'], { dot: true });
const LAYER_OWNS_DIR = globTest(['**/node_modules', 'node_modules'], { dot: true });

const cache = new Map<string, PackageFilter>();

/** Memoised by (family, exclude, include): thousands of functions share a handful of filters. */
export function packageFilter(r: Subject): PackageFilter {
  const key = `${r.family}\0${r.descriptorPath !== null}\0${r.exclude.join('\0')}\0\0${r.include.join('\0')}`;
  let filter = cache.get(key);
  if (!filter) {
    filter = buildFilter(r);
    cache.set(key, filter);
  }
  return filter;
}

function buildFilter(r: Subject): PackageFilter {
  const excludes = [...DEFAULT_EXCLUDES.all, ...(r.family === 'python' ? DEFAULT_EXCLUDES.python : []), ...r.exclude];
  const excluded = globTest(excludes, { dot: true });
  const included = r.include.length > 0 ? globTest(r.include, { dot: true }) : () => false;
  // 'X/**' excludes every path below any directory matching X: such directories need no walk.
  // With include globs nothing is pruned, since an include may reach below an excluded directory.
  const treeGlobs = excludes.filter((g) => g.endsWith('/**')).map((g) => g.slice(0, -3));
  const wholeTree = r.include.length === 0 && treeGlobs.length > 0 ? globTest(treeGlobs, { dot: true }) : () => false;
  const layerOwned = r.family === 'nodejs' && r.descriptorPath !== null;
  const includeBases = r.include.map((g) => picomatch.scan(g).base);
  return {
    packaged: (rel) => !(layerOwned && LAYER_OWNS(rel)) && (included(rel) || !excluded(rel)),
    included: (rel) => !(layerOwned && LAYER_OWNS(rel)) && included(rel),
    prunable: (dir) => (layerOwned && LAYER_OWNS_DIR(dir)) || wholeTree(dir),
    mayInclude: (rel) =>
      includeBases.some((b) => b === '' || b === rel || b.startsWith(`${rel}/`) || rel.startsWith(`${b}/`)),
  };
}

/**
 * The rule that leaves a file out of the package, in words (`"*.md" (exclude)`), or null when the
 * filter keeps it. For explaining an empty package only: it matches glob by glob.
 */
export function leftOutBy(r: Subject, relPath: string): string | null {
  if (r.family === 'nodejs' && r.descriptorPath !== null && LAYER_OWNS(relPath))
    return 'node_modules/ (the dependency layer holds it)';
  if (packageFilter(r).packaged(relPath)) return null;
  const rules = [
    ...DEFAULT_EXCLUDES.all.map((g) => ({ g, from: 'always left out' })),
    ...(r.family === 'python' ? DEFAULT_EXCLUDES.python.map((g) => ({ g, from: 'left out of python functions' })) : []),
    ...r.exclude.map((g) => ({ g, from: 'exclude' })),
  ];
  const hit = rules.find((x) => picomatch(x.g, { dot: true })(relPath));
  return hit ? `"${hit.g}" (${hit.from})` : 'exclude';
}
