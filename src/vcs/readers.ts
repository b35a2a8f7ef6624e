import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './git.js';

/** Reads many repository files at once, from the work tree or from a commit; missing files map to null. */
export type ReadMany = (repoPaths: string[]) => Promise<Map<string, string | null>>;

/** Synchronous reads: for thousands of small descriptors they beat a promise per file several times over. */
export function worktreeReader(root: string): ReadMany {
  return async (paths) => new Map(paths.map((p) => [p, readOrNull(join(root, p))] as const));
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** One `git cat-file --batch` per call, however many files. */
export function commitReader(root: string, commit: string): ReadMany {
  return async (paths) => {
    const out = new Map<string, string | null>();
    if (paths.length === 0) return out;
    const r = await git(root, ['cat-file', '--batch'], paths.map((p) => `${commit}:${p}\n`).join(''));
    const buf = r.stdout;
    let pos = 0;
    for (const p of paths) {
      const eol = buf.indexOf(10, pos);
      if (eol < 0) break;
      const header = buf.subarray(pos, eol).toString('utf8');
      pos = eol + 1;
      const m = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
      if (!m) {
        out.set(p, null); // "<name> missing" or "ambiguous"
        continue;
      }
      const size = Number(m[2]);
      out.set(p, m[1] === 'blob' ? buf.subarray(pos, pos + size).toString('utf8') : null);
      pos += size + 1;
    }
    return out;
  };
}
