import { posix } from 'node:path';
import picomatch from 'picomatch';
import { isNormalPath } from '../vcs/paths.js';

const problems = new Map<string, string | undefined>();

/** Why a user-written glob or path cannot be used, or undefined when it is fine. Memoised: big configs repeat globs. */
export function globProblem(glob: string): string | undefined {
  if (!problems.has(glob)) problems.set(glob, findGlobProblem(glob));
  return problems.get(glob);
}

/** Longest glob accepted: real globs are short; a long one is a mistake or an attack. */
export const MAX_GLOB_LENGTH = 512;
/**
 * '*' wildcards allowed in one path segment. Each one more multiplies the worst-case matching
 * time of a path by its length (picomatch compiles to a backtracking regular expression): on a
 * 255-character name, 3 take milliseconds, 4 about a second, 5 about a minute.
 */
export const MAX_STARS_PER_SEGMENT = 3;

/** Why a glob would cost too much to match, or undefined. Applies to every glob lci matches (paths and refs). */
export function costProblem(glob: string): string | undefined {
  if (glob.length > MAX_GLOB_LENGTH) return `glob is ${glob.length} characters long; at most ${MAX_GLOB_LENGTH}`;
  for (const segment of glob.split('/')) {
    if (segment === '**') continue;
    const stars = segment.replace(/\*\*/g, '*').split('*').length - 1;
    if (stars > MAX_STARS_PER_SEGMENT) {
      return `'${segment}' has ${stars} '*' wildcards in one path segment (at most ${MAX_STARS_PER_SEGMENT}): matching it can take minutes per path; simplify the glob`;
    }
  }
  if (/[*+?@!]\([^)]*[*+?@!]\(/.test(glob))
    return 'nested extglobs (a pattern group inside another) can take minutes per path; write the alternatives out';
  return undefined;
}

function findGlobProblem(glob: string): string | undefined {
  if (glob.startsWith('!')) return 'negated globs are not supported here; list only what should match';
  const pathIssue = pathProblem(glob);
  if (pathIssue) return pathIssue;
  const cost = costProblem(glob);
  if (cost) return cost;
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
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p))
    return 'must be relative to the directory of the config file, not absolute';
  return undefined;
}

/** Joins a config-relative path onto the config directory's path inside the repository; null if it leaves the repository. */
export function repoPath(configDirInRepo: string, p: string): string | null {
  // Nearly every path a config names is plain: join without normalizing (the config directory is in normal form).
  if (isNormalPath(p)) return configDirInRepo ? `${configDirInRepo}/${p}` : p;
  const joined = posix.normalize(posix.join(configDirInRepo || '.', p));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined === '.' ? '' : joined.replace(/\/+$/, '');
}
