import { rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PART_BYTES, type ArtifactStore, type Stored } from '../aws/artifact-store.js';
import type { CodePackage } from './code-package.js';
import { checkSizes } from './code-package.js';
import type { DependencyBuilder, DepsArtifact, IdentifiedDependencies } from '../builder/dependency-builder.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { DeployError } from '../errors.js';
import { fileSha256 } from '../package/file-hash.js';
import { mkdirPrivate } from '../private-files.js';
import { centralDirectory, listingOf, unsafeZip } from '../package/zip-check.js';
import type { Slots } from '../pool.js';

const CODE_SHA256 = 'lci-code-sha256';
const DEPS_KEY = 'lci-deps-key';
const TAKEN = Symbol('taken');

/** Whether a layer version lci published records this zip digest (layer-record.ts): the owner's word, not S3 metadata. */
export type Recorded = (sha256: string) => Promise<boolean>;

/**
 * An object lci uploaded (or found with the same bytes): its key, CodeSha256 (base64 SHA-256) and
 * size as lci measured them, and on a versioned bucket the object version that holds them (what a
 * release pins, so bytes written to the key later are never what it deploys).
 */
export interface Uploaded {
  key: string;
  codeSha256: string;
  bytes: number;
  s3ObjectVersion: string | null;
}

/** A layer zip in S3 that may be published: the cache object, and what lci measured of it. */
export type CheckedLayerZip = Uploaded & { depsKey: string };

/**
 * The S3 half of a function's deploy: the code zip under its source version (and latest/), the
 * layer zip from this function's and environment's own cache (built only when absent or not
 * trustworthy) and copied beside the code, and after a release the descriptor that produced the
 * live layer. A versioned key already holding other bytes stops the deploy: it is never
 * overwritten. Every S3 failure names the object and says that nothing was released.
 */
export class Pusher {
  /** S3 keys written, in order. */
  readonly written: string[] = [];
  private codeKey: Promise<Uploaded> | undefined;
  private latestCopy: Promise<void> | undefined;

  constructor(
    private readonly store: ArtifactStore,
    private readonly ws: Workspace,
    private readonly r: Pick<ResolvedFunction, 'name' | 'functionName' | 'env'>,
    private readonly sourceVersion: string,
    private readonly report: (m: string) => void,
    /** Dependency builds at once across the run (they are CPU-bound; the rest of a deploy waits on the network). */
    private readonly buildSlots?: Slots,
  ) {}

  /** Uploads the code zip once (or finds the same bytes already there), checking it is the CodeSha256 the decision was made on. */
  code(pkg: CodePackage, expectedSha256: string): Promise<Uploaded> {
    this.codeKey ??= (async () => {
      const z = await pkg.zip();
      if (z.sha256 !== expectedSha256)
        throw new DeployError(
          `the code of ${this.r.name} zipped to CodeSha256 ${z.sha256}, not the ${expectedSha256} its fingerprint promised (a different zlib?); re-run`,
        );
      const key = this.store.key(this.r.functionName, this.sourceVersion, 'app.zip');
      // The write is conditional (If-None-Match: *): one request when the key is new, the common
      // case; only when S3 says it is taken is the object read, to reuse the same bytes or refuse.
      // A zip of several parts is looked for first: S3 would refuse it only after every part went up.
      let existing = z.bytes > PART_BYTES ? await this.s3('reading', key, () => this.store.head(key)) : undefined;
      if (!existing) this.report('uploading code');
      let version = existing
        ? TAKEN
        : await this.put(key, () =>
            this.store.upload(z.path, key, { [CODE_SHA256]: z.sha256, 'lci-source-version': this.sourceVersion }, true),
          );
      if (version === TAKEN) {
        existing ??= await this.s3('reading', key, () => this.store.head(key));
        if (existing?.metadata[CODE_SHA256] !== z.sha256)
          throw this.immutable(
            key,
            existing
              ? `CodeSha256 ${existing.metadata[CODE_SHA256] ?? 'unknown'}`
              : 'bytes written meanwhile by another deploy',
            `CodeSha256 ${z.sha256}`,
          );
        this.report('code: the same zip is already in S3 under this source version');
        version = existing.versionId;
      }
      return { key, codeSha256: z.sha256, bytes: z.bytes, s3ObjectVersion: version };
    })();
    return this.codeKey;
  }

  /**
   * Copies the uploaded code to latest/, once. UpdateFunctionCode needs none of it, so a release
   * starts it when the code update has answered and waits for it before publishing a version; a
   * failure stops the release there. Nothing to copy when code() was not asked for.
   */
  copyToLatest(): Promise<void> {
    this.latestCopy ??= (async () => {
      if (!this.codeKey) return;
      const { key } = await this.codeKey;
      const latest = this.store.key(this.r.functionName, 'latest', 'app.zip');
      await this.s3('copying to', latest, () => this.store.copy(key, latest));
    })();
    return this.latestCopy;
  }

  /**
   * The layer zip to publish, from this function's and environment's cache when a layer version lci
   * published records its digest, else built now and uploaded there; copied under this source
   * version (and latest/) beside the code, as the S3 layout has always had it. It is published from
   * the cache object, whose bytes were just measured: the versioned key's metadata decides nothing.
   */
  async layer(
    deps: DependencyBuilder,
    r: ResolvedFunction,
    identified: IdentifiedDependencies,
    codeGroups: Record<string, number>,
    recorded: Recorded,
    /** Where the dependency build says what it does: a step of its own, not part of the upload. */
    buildReport: (message: string, detail?: boolean) => void = this.report,
  ): Promise<CheckedLayerZip> {
    const cache = this.store.depsKey(this.r.env, this.r.functionName, identified.key);
    const versioned = this.store.key(this.r.functionName, this.sourceVersion, 'deps.zip');
    const already = await this.s3('reading', versioned, () => this.store.head(versioned));
    if (already && already.metadata[DEPS_KEY] !== identified.key)
      throw this.immutable(
        versioned,
        `dependency key ${already.metadata[DEPS_KEY] ?? 'unknown'}`,
        `key ${identified.key}`,
      );
    // Dependency builds are CPU-bound: at most buildSlots at once across the run.
    const build = async () => (await deps.layer(r, buildReport, identified))!;
    const zip = await this.layerCache(
      cache,
      identified.key,
      () => (this.buildSlots ? this.buildSlots.run(build) : build()),
      (label, groups) => checkSizes(codeGroups, [{ label, groups }]),
      recorded,
    );
    if (!already) await this.s3('copying to', versioned, () => this.store.copy(cache, versioned));
    const latest = this.store.key(this.r.functionName, 'latest', 'deps.zip');
    await this.s3('copying to', latest, () => this.store.copy(versioned, latest));
    return { key: cache, depsKey: identified.key, ...zip };
  }

  /**
   * A layer zip at `cacheKey` (a layer cache of S3) that may be published, and its SHA-256: the
   * object there when it checks out, else the zip `build` makes, uploaded there. `checkSize` sees
   * the layer's unzipped size (measured, never read from metadata) before anything is uploaded.
   * On a versioned bucket the object version measured (or uploaded) comes back with it: the one to publish.
   */
  async layerCache(
    cacheKey: string,
    depsKey: string,
    build: () => Promise<DepsArtifact>,
    checkSize: (label: string, groups: Record<string, number>) => void,
    recorded: Recorded,
  ): Promise<{ codeSha256: string; bytes: number; s3ObjectVersion: string | null }> {
    const reused = await this.cached(cacheKey, recorded);
    if (reused) {
      checkSize('deps', { 'layer (from S3)': reused.unzippedBytes });
      return { codeSha256: reused.sha256, bytes: reused.bytes, s3ObjectVersion: reused.versionId };
    }
    const layer = await build();
    checkSize('deps', layer.groups);
    this.report('uploading dependencies');
    const stored = await this.s3('uploading to', cacheKey, () =>
      this.store.upload(layer.path, cacheKey, { [DEPS_KEY]: depsKey }),
    );
    return { codeSha256: layer.sha256, bytes: layer.bytes, s3ObjectVersion: stored.versionId };
  }

  /**
   * The cache object when it may be published as it is: downloaded, its digest and unzipped size
   * measured, no entry that could land outside /opt, and a layer version lci published records that
   * digest (`recorded`). Otherwise null, and the layer is built again: whoever may write the object
   * also writes its metadata, so a forged object with forged metadata is never published.
   */
  private async cached(
    key: string,
    recorded: Recorded,
  ): Promise<{ sha256: string; unzippedBytes: number; bytes: number; versionId: string | null } | null> {
    if (!(await this.s3('reading', key, () => this.store.head(key)))) return null;
    const dir = join(this.ws.stateDir, 'tmp');
    await mkdirPrivate(dir);
    const local = join(dir, `verify-${process.pid}-${basename(key)}`);
    let measured: { sha256: string; unzippedBytes: number; bytes: number; problem: string | null };
    let versionId: string | null;
    try {
      versionId = await this.s3('downloading', key, () => this.store.download(key, local));
      const entries = centralDirectory(local);
      measured = {
        sha256: (await fileSha256(local))!,
        unzippedBytes: entries.reduce((n, e) => n + e.size, 0),
        bytes: (await stat(local)).size,
        problem: unsafeZip(listingOf(entries)),
      };
    } catch (e) {
      if (e instanceof DeployError) throw e;
      this.report(
        `dependencies: the cached layer ${this.store.url(key)} is not a readable zip (${(e as Error).message}); building it again`,
      );
      return null;
    } finally {
      await rm(local, { force: true });
    }
    const problem =
      measured.problem ??
      ((await recorded(measured.sha256))
        ? null
        : `no layer version lci published records its bytes (SHA-256 ${measured.sha256})`);
    if (problem) {
      this.report(
        `dependencies: the cached layer ${this.store.url(key)} is not usable (${problem}); building it again`,
      );
      return null;
    }
    this.report('dependencies: reusing the layer zip already in S3');
    return { sha256: measured.sha256, unzippedBytes: measured.unzippedBytes, bytes: measured.bytes, versionId };
  }

  /** After a successful release only: the descriptor that produced the live layer. A failure is a warning: the release stands. */
  async descriptor(root: string, descriptor: string): Promise<string | null> {
    const key = this.store.key(this.r.functionName, 'latest', basename(descriptor));
    try {
      this.written.push((await this.store.upload(join(root, descriptor), key)).key);
      return null;
    } catch (e) {
      return `released, but uploading ${this.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}`;
    }
  }

  private immutable(key: string, there: string, ours: string): DeployError {
    return new DeployError(
      `${this.store.url(key)} already holds other bytes (${there}, this deploy has ${ours}): versioned keys are never overwritten, so source version ${this.sourceVersion} cannot name this content; deploy a new commit. Nothing was released`,
    );
  }

  /** A conditional write: its VersionId, or TAKEN when S3 answers 412 (the key holds an object already). */
  private async put(key: string, run: () => Promise<Stored>): Promise<string | null | typeof TAKEN> {
    try {
      const stored = await run();
      this.written.push(stored.key);
      return stored.versionId;
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (e as Error).name === 'PreconditionFailed') return TAKEN;
      throw new DeployError(
        `uploading to ${this.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}; nothing was released`,
      );
    }
  }

  /** One S3 request; a failure names the object and says nothing was released. What it writes is recorded. */
  private async s3<T>(what: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      if (/^(copying|uploading)/.test(what)) this.written.push(key);
      return result;
    } catch (e) {
      throw new DeployError(
        `${what} ${this.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}; nothing was released`,
      );
    }
  }
}
