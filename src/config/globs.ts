import { posix } from 'node:path';
import picomatch from 'picomatch';

const problems = new Map<string, string | undefined>();

/** Why a user-written glob or path cannot be used, or undefined when it is fine. Memoised: big configs repeat globs. */
export function globProblem(glob: string): string | undefined {
  if (!problems.has(glob)) problems.set(glob, findGlobProblem(glob));
  return problems.get(glob);
}

function findGlobProblem(glob: string): string | undefined {
  if (glob.startsWith('!')) return 'negated globs are not supported here; list only what should match';
  const pathIssue = pathProblem(glob);
  if (pathIssue) return pathIssue;
  try {
    picomatch.makeRe(glob, { strictBrackets: true, dot: true });
  } catch (e) {
    return `invalid glob: ${(e as Error).message}`;
  }
  if (/\*{3,}/.test(glob)) return "invalid glob: '***' has no meaning; use '**' for any depth";
  return undefined;
}

export function pathProblem(p: string): string | undefined {
  if (p.includes('\\')) return "use forward slashes ('/') in paths";
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'must be relative to the directory of the config file, not absolute';
  return undefined;
}

/** Joins a config-relative path onto the config directory's path inside the repository; null if it leaves the repository. */
export function repoPath(configDirInRepo: string, p: string): string | null {
  const joined = posix.normalize(posix.join(configDirInRepo || '.', p));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined === '.' ? '' : joined.replace(/\/+$/, '');
}
