import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, userCacheDir } from './private-files.js';

/** About ten lci versions' modules and the AWS SDK's. */
export const MAX_ENTRIES = 3000;

/**
 * Where lci keeps V8's compiled code of itself and the AWS SDK between runs (Node's module compile
 * cache): `lci/compile` in the user's cache directory (XDG_CACHE_HOME, else ~/.cache), made 0700.
 * V8 runs what that cache holds, so it is used only when it is a real directory (no symlink) of
 * this user's that nobody else may write, never a shared one such as Node's default under the
 * temporary directory. Null (no cache) when there is no such place, or NODE_DISABLE_COMPILE_CACHE
 * is set.
 *
 * Node never deletes an entry, and every lci version (every build, while developing lci) adds its
 * own: a Node version's directory holding more than MAX_ENTRIES files is emptied before use, so
 * the cache stays within some 30 MB.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  try {
    const lci = userCacheDir(env);
    if (!lci) return null;
    const dir = join(lci, 'compile');
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const st = lstatSync(dir);
    const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
    if (!st.isDirectory() || !mine || (st.mode & 0o077) !== 0) return null;
    for (const byNode of readdirSync(dir, { withFileTypes: true }))
      if (byNode.isDirectory() && readdirSync(join(dir, byNode.name)).length > MAX_ENTRIES)
        rmSync(join(dir, byNode.name), { recursive: true, force: true });
    return dir;
  } catch {
    return null;
  }
}
