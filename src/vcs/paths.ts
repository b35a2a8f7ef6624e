import { join, sep } from 'node:path';

/** A relative path already in normal form: segments that are neither empty, '.' nor '..'. */
const NORMAL = /^(?:(?!\.\.?\/)[^/]+\/)*(?!\.\.?$)[^/]+$/;

/** True when posix.normalize would return `p` as it is: a relative path of plain segments. */
export function isNormalPath(p: string): boolean {
  return NORMAL.test(p);
}

/**
 * `join(dir, rel)` for an absolute, normalized `dir` and a repository path: plain paths (nearly
 * all) are joined without normalizing again, which thousands of checks would otherwise pay for.
 */
export function inside(dir: string, rel: string): string {
  if (rel === '') return dir;
  return sep === '/' && dir !== '/' && NORMAL.test(rel) ? `${dir}/${rel}` : join(dir, rel);
}
