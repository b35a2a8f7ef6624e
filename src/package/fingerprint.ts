import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ZipEntry } from './zip.js';

/** Bump when the zip writer's output for the same files changes. */
export const ZIP_FORMAT = 'lci-zip-1';

/**
 * A hash of what a code package contains (names, executable bits, contents) and of how it is
 * zipped. Equal fingerprints mean byte-equal zips, so a deploy can tell "unchanged" without
 * zipping: hashing runs at disk speed, deflating at a fraction of it.
 */
export function contentFingerprint(entries: ZipEntry[]): string {
  const hash = createHash('sha256');
  hash.update(`${ZIP_FORMAT}\0zlib ${process.versions.zlib}\0`);
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) {
    const data = 'data' in e.source ? e.source.data : readFileSync(e.source.path);
    hash.update(`${e.name}\0${e.executable ? 'x' : '-'}\0`);
    hash.update(createHash('sha256').update(data).digest());
  }
  return hash.digest('hex').slice(0, 20);
}
