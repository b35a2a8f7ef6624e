import picomatch from 'picomatch';
import type { ResolvedFunction } from '../config/types.js';

/**
 * Which files under a function's path go into its code package. One definition, used by `plan`
 * (a change to a file that is never packaged does not affect the function) and by packaging.
 */
export const DEFAULT_EXCLUDES: Record<'all' | 'python', string[]> = {
  all: ['**/.git/**', '**/.DS_Store', '**/.env', '**/.env.*'],
  python: ['**/__pycache__/**', '**/*.pyc', '**/node_modules/**'],
};

/** True when a path relative to the function's root is left out of the code package. */
export function excludedFromPackage(r: Pick<ResolvedFunction, 'family' | 'exclude'>): (relPath: string) => boolean {
  const key = `${r.family}\0${r.exclude.join('\0')}`;
  let matcher = compiled.get(key);
  if (!matcher) {
    const globs = [...DEFAULT_EXCLUDES.all, ...(r.family === 'python' ? DEFAULT_EXCLUDES.python : []), ...r.exclude];
    matcher = picomatch(globs, { dot: true });
    compiled.set(key, matcher);
  }
  return matcher;
}

const compiled = new Map<string, (relPath: string) => boolean>();
