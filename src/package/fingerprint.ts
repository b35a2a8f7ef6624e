import { createHash, type Hash } from 'node:crypto';
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
  const fp = new Fingerprint();
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) {
    const data = 'data' in e.source ? e.source.data : readFileSync(e.source.path);
    fp.add(e, createHash('sha256').update(data).digest());
  }
  return fp.digest();
}

/**
 * The fingerprint built entry by entry from content hashes computed elsewhere (the zip writer's,
 * from the read that zips the file). Entries must come in name order, as the zip writer gives them.
 */
export class Fingerprint {
  private readonly hash: Hash = createHash('sha256').update(`${ZIP_FORMAT}\0zlib ${process.versions.zlib}\0`);

  add(e: Pick<ZipEntry, 'name' | 'executable'>, contentSha256: Uint8Array): void {
    this.hash.update(`${e.name}\0${e.executable ? 'x' : '-'}\0`);
    this.hash.update(contentSha256);
  }

  digest(): string {
    return this.hash.digest('hex').slice(0, 20);
  }
}
