import { groupSizes } from './limits.js';
import { PRIVATE_FILE_MODE } from '../private-files.js';
import { type ContentHashes, writeZip, type ZipEntry } from './zip.js';

/** A zip lci wrote, with what the size checks and the reports need to know about it. */
export interface ZipArtifact {
  path: string;
  /** base64 SHA-256 of the zip: Lambda's CodeSha256 for code packages. */
  sha256: string;
  bytes: number;
  unzippedBytes: number;
  entries: number;
  /** Unzipped bytes per top-level directory or package, for size errors. */
  groups: Record<string, number>;
}

/** Written for lci's own use under `.lci/`: readable by the user only. `contentHashes` as for writeZip. */
export async function zipArtifact(
  entries: ZipEntry[],
  path: string,
  contentHashes?: ContentHashes,
): Promise<ZipArtifact> {
  const z = await writeZip(entries, path, PRIVATE_FILE_MODE, contentHashes);
  return {
    path: z.path,
    sha256: z.sha256,
    bytes: z.bytes,
    unzippedBytes: z.unzippedBytes,
    entries: z.entries,
    groups: groupSizes(entries),
  };
}
