import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyBuilder, Report } from '../builder/dependency-builder.js';
import { commandKey } from '../builder/cache-key.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { PackageError } from '../errors.js';
import { buildFiles } from '../inputs/build-inputs.js';
import { codeEntries } from '../inputs/code-files.js';
import { nothingBuilt, nothingToPackage } from '../inputs/empty-package.js';
import { collectFiles } from '../inputs/files.js';
import { packageFilter } from '../inputs/package-filter.js';
import { contentFingerprint, Fingerprint, ZIP_FORMAT } from '../package/fingerprint.js';
import { checkUnzippedSize, groupSizes } from '../package/limits.js';
import { mkdirPrivate, PRIVATE_FILE_MODE } from '../private-files.js';
import { zipArtifact, type ZipArtifact } from '../package/zip-artifact.js';
import type { ZipEntry } from '../package/zip.js';
import { fileSha256 } from '../package/file-hash.js';
import { worktreeReader } from '../vcs/readers.js';
import { distDir, readManifest, writeManifest, type Manifest } from './manifest.js';

export interface CodeZip extends ZipArtifact {
  /** True when the zip `lci build` (or an earlier run) wrote for the same files was taken as it was. */
  reused: boolean;
  /** Another function of this run packages the same files: its zip was copied, not zipped again. */
  sameAs?: string;
}

/**
 * A function's code package: its fingerprint (known without building or zipping), its files and
 * the zip on demand. The one packaging step `lci build` and `lci deploy` share: the zip is written
 * once per content, into .lci/dist/<function>/app.zip, and reused by whichever command needs it
 * next; functions of one run with the same content (one source directory, several handlers)
 * share one zip.
 *
 * A function with build.command packages what the command wrote to build.output; its fingerprint
 * is then that of the build's inputs (the committed files it reads, the command, the image), so a
 * deploy tells "unchanged" without building.
 */
export interface CodePackage {
  fingerprint: string;
  /** Unzipped bytes per top-level directory (runs the build command first, for a built function). */
  groups(): Promise<Record<string, number>>;
  zip(): Promise<CodeZip>;
}

/** What packaging a built function needs: the builder that runs build.command, and where its progress goes. */
export interface Packaging {
  builder: DependencyBuilder;
  report: Report;
}

export async function packageCode(r: ResolvedFunction, ws: Workspace, packaging?: Packaging): Promise<CodePackage> {
  return (await codeFiles(r, ws, packaging)).package();
}

/**
 * A function's code package before its contents are read: what `lci build` starts from. `package()`
 * reads and hashes every file for the fingerprint alone (a deploy compares it with the serving
 * version's before it zips anything); `zip()` gives the zip and its fingerprint, both from one
 * read of each file when no earlier zip can be reused.
 */
export interface CodeFiles {
  /** Unzipped bytes per top-level directory (runs the build command first, for a built function). */
  groups(): Promise<Record<string, number>>;
  package(): Promise<CodePackage>;
  zip(): Promise<CodeZip & { fingerprint: string }>;
}

export async function codeFiles(r: ResolvedFunction, ws: Workspace, packaging?: Packaging): Promise<CodeFiles> {
  if (r.build.command !== null) return builtFiles(r, ws, packaging);
  const entries = await codeEntries(r, ws);
  if (entries.length === 0) throw new PackageError(await nothingIn(r, ws));
  const groups = groupSizes(entries);
  checkSizes(groups, []); // before hashing: an oversized package fails fast
  let fingerprint: Promise<string> | undefined;
  let zipped: Promise<CodeZip & { fingerprint: string }> | undefined;
  let zipping: Promise<CodeZip & { fingerprint: string }> | undefined;
  const hashed = () => {
    fingerprint ??= Promise.resolve().then(() => contentFingerprint(entries));
    return fingerprint;
  };
  const zipFor = (fp: string) => (zipped ??= zipOnce(r, ws, entries, fp).then((z) => ({ ...z, fingerprint: fp })));
  const zip = async () => {
    // A zip from an earlier run may be reused: the fingerprint decides, and only then is anything zipped.
    if (fingerprint || (await mayReuse(r, ws))) return zipFor(await hashed());
    zipped ??= zipFresh(r, ws, entries);
    if (!fingerprint) {
      fingerprint = zipped.then((z) => z.fingerprint);
      // Awaited only if package() is asked for later: a zip that fails is reported through `zipped`, not as a crash.
      fingerprint.catch(() => {});
    }
    return zipped;
  };
  return {
    groups: async () => groups,
    package: async () => {
      const fp = await hashed();
      return { fingerprint: fp, groups: async () => groups, zip: () => zipFor(fp) };
    },
    zip: () => (zipping ??= zip()),
  };
}

/** Why a function's path gave no file to package, in one line. */
async function nothingIn(r: ResolvedFunction, ws: Workspace): Promise<string> {
  const index = await ws.tracked();
  return nothingToPackage(
    r,
    join(ws.root, r.root),
    r.root || '.',
    index ? { root: ws.root, index, rootInRepo: r.root } : undefined,
  );
}

async function builtFiles(r: ResolvedFunction, ws: Workspace, packaging: Packaging | undefined): Promise<CodeFiles> {
  const files = await buildFiles(r, ws, worktreeReader(ws.root));
  const key = await commandKey(r, files);
  const filter = packageFilter(r);
  // The zip's content follows from the build's inputs and what is left out of its output.
  const fingerprint = createHash('sha256')
    .update(
      `${ZIP_FORMAT}\0zlib ${process.versions.zlib}\0built ${key}\0${r.family}\0${r.exclude.join('\0')}\0\0${r.include.join('\0')}`,
    )
    .digest('hex')
    .slice(0, 20);
  let built: Promise<ZipEntry[]> | undefined;
  const entries = () =>
    (built ??= (async () => {
      if (!packaging) throw new Error(`packaging ${r.name} needs a builder for its build.command`);
      const out = await packaging.builder.output(r, files, key, packaging.report);
      const label = `${r.root}/${r.build.output}`;
      const found = await collectFiles({
        root: out,
        boundary: out,
        label,
        packaged: filter.packaged,
        prunable: filter.prunable,
      });
      if (found.length === 0) throw new PackageError(nothingBuilt(r, out, label));
      if (r.family === 'provided' && !found.some((e) => e.name === 'bootstrap' && e.executable))
        throw new PackageError(
          `${r.name}: build.command wrote no executable bootstrap to ${r.build.output}/; ${r.runtime} starts the function by running it (chmod +x it)`,
        );
      checkSizes(groupSizes(found), []);
      return found;
    })());
  let zipped: Promise<CodeZip & { fingerprint: string }> | undefined;
  const zip = () =>
    (zipped ??= entries().then(async (e) => ({ ...(await zipOnce(r, ws, e, fingerprint)), fingerprint })));
  const groups = async () => groupSizes(await entries());
  return { groups, package: async () => ({ fingerprint, groups, zip }), zip };
}

/** Lambda's unzipped limit for code plus layers, checked before anything is zipped or leaves the machine. */
export function checkSizes(
  code: Record<string, number>,
  layers: { label: string; groups: Record<string, number> }[],
): void {
  checkUnzippedSize([{ label: 'code', groups: code }, ...layers]);
}

/** Zips of this process's runs by content: a function with the same files as another copies its zip. */
const zipsByContent = new Map<string, { name: string; zip: Promise<ZipArtifact | null> }>();

async function zipOnce(r: ResolvedFunction, ws: Workspace, entries: ZipEntry[], fingerprint: string): Promise<CodeZip> {
  // Claimed before the first await: of functions with the same content, one zips, the others wait and copy.
  const content = `${ws.stateDir}\0${fingerprint}`;
  const other = zipsByContent.get(content);
  let settle: ((z: ZipArtifact | null) => void) | undefined;
  if (!other || other.name === r.name)
    zipsByContent.set(content, { name: r.name, zip: new Promise((resolve) => (settle = resolve)) });
  try {
    const z = await zipOrReuse(r, ws, entries, fingerprint, other && other.name !== r.name ? other : undefined);
    settle?.(z);
    return z;
  } catch (e) {
    settle?.(null);
    throw e;
  }
}

async function zipOrReuse(
  r: ResolvedFunction,
  ws: Workspace,
  entries: ZipEntry[],
  fingerprint: string,
  other: { name: string; zip: Promise<ZipArtifact | null> } | undefined,
): Promise<CodeZip> {
  const path = zipPath(ws, r);
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
  const copied = other ? await copyTheirs(other, path) : null;
  const z = copied ?? (await zipArtifact(entries, path));
  await record(r, ws, manifest, z, fingerprint);
  return { ...z, reused: false, ...(copied ? { sameAs: other!.name } : {}) };
}

/**
 * The zip and its fingerprint from one read of each file: for a function with no earlier zip to
 * reuse (a fresh checkout, a first build), which is zipped whatever its fingerprint. Functions of
 * this run listing the same files share the work: one zips, the others copy its zip.
 */
async function zipFresh(
  r: ResolvedFunction,
  ws: Workspace,
  entries: ZipEntry[],
): Promise<CodeZip & { fingerprint: string }> {
  const listing = `${ws.stateDir}\0files ${listingKey(entries)}`;
  const other = zipsByContent.get(listing);
  const theirs = other && other.name !== r.name ? other : undefined;
  let settle: ((z: (ZipArtifact & { fingerprint: string }) | null) => void) | undefined;
  if (!theirs) zipsByContent.set(listing, { name: r.name, zip: new Promise((resolve) => (settle = resolve)) });
  try {
    const path = zipPath(ws, r);
    await mkdirPrivate(distDir(ws, r.name));
    const shared = theirs ? ((await theirs.zip) as (ZipArtifact & { fingerprint: string }) | null) : null;
    const copied = shared ? await copyTheirs(theirs!, path) : null;
    let z: ZipArtifact & { fingerprint: string };
    if (copied && shared) z = { ...copied, fingerprint: shared.fingerprint };
    else {
      const fp = new Fingerprint();
      const written = await zipArtifact(entries, path, (e, sha) => fp.add(e, sha));
      z = { ...written, fingerprint: fp.digest() };
      // Functions of this run that find the same content by fingerprint copy this zip too.
      if (!zipsByContent.has(`${ws.stateDir}\0${z.fingerprint}`))
        zipsByContent.set(`${ws.stateDir}\0${z.fingerprint}`, { name: r.name, zip: Promise.resolve(z) });
    }
    await record(r, ws, await readManifest(ws, r.name), z, z.fingerprint);
    settle?.(z);
    return { ...z, reused: false, ...(copied ? { sameAs: theirs!.name } : {}) };
  } catch (e) {
    settle?.(null);
    throw e;
  }
}

/** Another function's zip of the same content, copied to `path`; null when it failed or its file changed since. */
async function copyTheirs(other: { zip: Promise<ZipArtifact | null> }, path: string): Promise<ZipArtifact | null> {
  const theirs = await other.zip;
  if (theirs === null || (await fileSha256(theirs.path)) !== theirs.sha256) return null;
  await copyFile(theirs.path, path);
  await chmod(path, PRIVATE_FILE_MODE); // copyFile keeps the source's mode
  return { ...theirs, path };
}

/** Same names, files, sizes and modes: the same content, read at the same time. */
function listingKey(entries: ZipEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries)
    hash.update(
      `${e.name}\0${'path' in e.source ? e.source.path : '(data)'}\0${e.size}\0${e.executable ? 'x' : '-'}\0`,
    );
  return hash.digest('hex');
}

function zipPath(ws: Workspace, r: ResolvedFunction): string {
  return join(distDir(ws, r.name), 'app.zip');
}

/** An earlier zip whose fingerprint is recorded: this run reads the fingerprint first, to reuse it if it matches. */
async function mayReuse(r: ResolvedFunction, ws: Workspace): Promise<boolean> {
  const recorded = (await readManifest(ws, r.name))?.code;
  return recorded !== undefined && recorded !== null && existsSync(zipPath(ws, r));
}

async function record(
  r: ResolvedFunction,
  ws: Workspace,
  manifest: Manifest | null,
  z: ZipArtifact,
  fingerprint: string,
): Promise<void> {
  await writeManifest(ws, {
    function: r.name,
    env: r.env,
    runtime: r.runtime,
    architecture: r.architecture,
    deps: manifest?.deps ?? null,
    code: {
      file: 'app.zip',
      sha256: z.sha256,
      bytes: z.bytes,
      unzippedBytes: z.unzippedBytes,
      entries: z.entries,
      fingerprint,
    },
  });
}
