import { lstatSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE } from './private-files.js';

/**
 * Where lci keeps V8's compiled code of itself and the AWS SDK between runs (Node's module compile
 * cache): `lci/compile` in the user's cache directory (XDG_CACHE_HOME, else ~/.cache), made 0700.
 * V8 runs what that cache holds, so it is used only when it is a real directory (no symlink) of
 * this user's that nobody else may write, never a shared one such as Node's default under the
 * temporary directory. Null (no cache) when there is no such place, or NODE_DISABLE_COMPILE_CACHE
 * is set.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_DISABLE_COMPILE_CACHE) return null;
  try {
    const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
    const dir = join(base, 'lci', 'compile');
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const st = lstatSync(dir);
    const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
    return st.isDirectory() && mine && (st.mode & 0o077) === 0 ? dir : null;
  } catch {
    return null;
  }
}
