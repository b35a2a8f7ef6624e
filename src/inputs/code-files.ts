import { join } from 'node:path';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import type { ZipEntry } from '../package/zip.js';
import { collectFiles } from './files.js';
import { packageFilter } from './package-filter.js';

/**
 * The files of the function's code package, before anything is written: what git tracks under
 * its path (as the work tree has them), plus what `include` names (build outputs), minus the
 * excludes. Outside a git repository, every file under the path.
 */
export async function codeEntries(r: ResolvedFunction, ws: Workspace): Promise<ZipEntry[]> {
  const filter = packageFilter(r);
  const index = await ws.tracked();
  return collectFiles({
    root: join(ws.root, r.root),
    boundary: ws.root,
    label: r.root || '.',
    packaged: filter.packaged,
    prunable: filter.prunable,
    ...(index
      ? { tracked: { index, rootInRepo: r.root, included: filter.included, mayInclude: filter.mayInclude } }
      : {}),
  });
}
