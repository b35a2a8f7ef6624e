import { join } from 'node:path';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import type { ZipEntry } from '../package/zip.js';
import { collectFiles } from './files.js';
import { packageFilter } from './package-filter.js';

/** The files of the function's code package, before anything is written. */
export function codeEntries(r: ResolvedFunction, ws: Workspace): Promise<ZipEntry[]> {
  const filter = packageFilter(r);
  return collectFiles({ root: join(ws.root, r.root), boundary: ws.root, label: r.root || '.', packaged: filter.packaged, prunable: filter.prunable });
}
