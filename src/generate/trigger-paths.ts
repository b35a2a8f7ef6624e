import type { InputRule } from '../inputs/rules.js';

/** CodePipeline accepts at most 8 file path patterns per trigger (GitFilePathFilterCriteria). */
export const MAX_TRIGGER_PATHS = 8;

/**
 * The repository globs whose changes should start a function's pipeline: the same inputs `lci
 * plan` uses (path, descriptor and its lockfiles, local dependencies, watch and shared globs) plus
 * the config file. A pattern inside another's `dir/**` is dropped. Pure; `isDir` tells a local
 * dependency directory from a file (a wheel, a tarball, an included requirements file).
 */
export function triggerPaths(rules: InputRule[], configInRepo: string, isDir: (repoPath: string) => boolean): string[] {
  const out = new Set<string>([configInRepo]);
  for (const rule of rules) {
    const t = rule.test;
    if (t.form === 'glob') out.add(t.glob);
    else if (t.form === 'lockfile') out.add(t.dir ? `${t.dir}/*` : '*');
    else if (rule.kind === 'path' || rule.pattern.endsWith('**') || isDir(t.prefix)) out.add(t.prefix ? `${t.prefix}/**` : '**');
    else out.add(t.prefix);
  }
  const trees = [...out].filter((p) => p.endsWith('/**')).map((p) => p.slice(0, -2));
  const dirs = [...out].filter((p) => p.endsWith('/*') || p === '*').map((p) => p.slice(0, -1));
  if (out.has('**')) return ['**'];
  const coveredByTree = (p: string) => trees.some((dir) => p !== `${dir}**` && p.startsWith(dir));
  // 'dir/*' covers the files directly in dir (a descriptor beside its lockfiles).
  const coveredByDir = (p: string) => !p.endsWith('*') && dirs.some((dir) => p.startsWith(dir) && !p.slice(dir.length).includes('/'));
  return [...out].filter((p) => !coveredByTree(p) && !coveredByDir(p)).sort();
}
