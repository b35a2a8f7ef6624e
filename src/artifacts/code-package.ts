import { join } from 'node:path';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { codeEntries } from '../inputs/code-files.js';
import { contentFingerprint } from '../package/fingerprint.js';
import { checkUnzippedSize, groupSizes } from '../package/limits.js';
import { mkdirPrivate } from '../package/private.js';
import { zipArtifact, type ZipArtifact } from '../package/zip-artifact.js';
import type { ZipEntry } from '../package/zip.js';
import { fileSha256 } from '../package/file-hash.js';
import { distDir, readManifest, writeManifest, type Manifest } from './manifest.js';

export interface CodeZip extends ZipArtifact {
  /** True when the zip `lci build` (or an earlier run) wrote for the same files was taken as it was. */
  reused: boolean;
}

/**
 * A function's code package: its files, their fingerprint, and the zip on demand. The one
 * packaging step `lci build` and `lci deploy` share: the zip is written once per content, into
 * .lci/dist/<function>/app.zip, and reused by whichever command needs it next.
 */
export interface CodePackage {
  entries: ZipEntry[];
  groups: Record<string, number>;
  fingerprint: string;
  zip(): Promise<CodeZip>;
}

export async function packageCode(r: ResolvedFunction, ws: Workspace): Promise<CodePackage> {
  const entries = await codeEntries(r, ws);
  const groups = groupSizes(entries);
  checkSizes(groups, null); // before hashing: an oversized package fails fast
  const fingerprint = contentFingerprint(entries);
  let zipped: Promise<CodeZip> | undefined;
  return { entries, groups, fingerprint, zip: () => (zipped ??= zipOnce(r, ws, entries, fingerprint)) };
}

/** Lambda's unzipped limit for code plus layers, checked before anything is zipped or leaves the machine. */
export function checkSizes(code: Record<string, number>, layer: Record<string, number> | null): void {
  checkUnzippedSize([{ label: 'code', groups: code }, ...(layer ? [{ label: 'deps', groups: layer }] : [])]);
}

async function zipOnce(r: ResolvedFunction, ws: Workspace, entries: ZipEntry[], fingerprint: string): Promise<CodeZip> {
  const path = join(distDir(ws, r.name), 'app.zip');
  const manifest = await readManifest(ws, r.name);
  const recorded = manifest?.code;
  // Reused only when the recorded fingerprint matches and the file is still the one recorded.
  if (recorded && recorded.fingerprint === fingerprint && (await fileSha256(path)) === recorded.sha256) {
    return {
      path,
      sha256: recorded.sha256,
      bytes: recorded.bytes,
      unzippedBytes: recorded.unzippedBytes,
      entries: recorded.entries,
      groups: groupSizes(entries),
      reused: true,
    };
  }
  await mkdirPrivate(distDir(ws, r.name));
  const z = await zipArtifact(entries, path);
  const next: Manifest = {
    function: r.name,
    env: r.env,
    runtime: r.runtime,
    architecture: r.architecture,
    deps: manifest?.deps ?? null,
    code: { file: 'app.zip', sha256: z.sha256, bytes: z.bytes, unzippedBytes: z.unzippedBytes, entries: z.entries, fingerprint },
  };
  await writeManifest(ws, next);
  return { ...z, reused: false };
}
