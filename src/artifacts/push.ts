import { rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ArtifactStore } from '../aws/artifact-store.js';
import type { CodePackage } from './code-package.js';
import { checkSizes } from './code-package.js';
import type { DependencyBuilder, DepsArtifact, IdentifiedDependencies } from '../builder/dependency-builder.js';
import type { ResolvedFunction, Workspace } from '../config/types.js';
import { DeployError } from '../errors.js';
import { fileSha256 } from '../package/file-hash.js';
import { mkdirPrivate } from '../package/private.js';
import { listZip, unsafeZip } from '../package/zip-check.js';
import type { Slots } from '../pool.js';

const UNZIPPED_BYTES = 'lci-unzipped-bytes';
const ZIP_SHA256 = 'lci-zip-sha256';
const CODE_SHA256 = 'lci-code-sha256';
const DEPS_KEY = 'lci-deps-key';

/** An object lci uploaded (or found with the same bytes): its key, CodeSha256 and size as lci measured them. */
export interface Uploaded {
  key: string;
  codeSha256: string;
  bytes: number;
}

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
      const existing = await this.s3('reading', key, () => this.store.head(key));
      if (existing && existing[CODE_SHA256] === z.sha256)
        this.report('code: the same zip is already in S3 under this source version');
      else if (existing)
        throw this.immutable(key, `CodeSha256 ${existing[CODE_SHA256] ?? 'unknown'}`, `CodeSha256 ${z.sha256}`);
      else {
        this.report('uploading code');
        await this.put(key, () =>
          this.store.upload(z.path, key, { [CODE_SHA256]: z.sha256, 'lci-source-version': this.sourceVersion }, true),
        );
      }
      const latest = this.store.key(this.r.functionName, 'latest', 'app.zip');
      await this.s3('copying to', latest, () => this.store.copy(key, latest));
      return { key, codeSha256: z.sha256, bytes: z.bytes };
    })();
    return this.codeKey;
  }

  /**
   * The layer zip in S3 under this source version, with the CodeSha256 and size lci measured of it:
   * from this function's cache when that is still what was uploaded (downloaded and checked), else
   * built now. The versioned copy is written once; what a later publish reads is checked against
   * the digest returned here.
   */
  async layer(
    deps: DependencyBuilder,
    r: ResolvedFunction,
    identified: IdentifiedDependencies,
    codeGroups: Record<string, number>,
  ): Promise<Uploaded & { depsKey: string }> {
    const cache = this.store.depsKey(this.r.env, this.r.functionName, identified.key);
    const versioned = this.store.key(this.r.functionName, this.sourceVersion, 'deps.zip');
    const already = await this.s3('reading', versioned, () => this.store.head(versioned));
    if (already && already[DEPS_KEY] !== identified.key)
      throw this.immutable(versioned, `dependency key ${already[DEPS_KEY] ?? 'unknown'}`, `key ${identified.key}`);
    // Dependency builds are CPU-bound: at most buildSlots at once across the run.
    const build = async () => (await deps.layer(r, this.report, identified))!;
    const zip = await this.layerCache(
      cache,
      identified.key,
      () => (this.buildSlots ? this.buildSlots.run(build) : build()),
      (label, groups) => checkSizes(codeGroups, [{ label, groups }]),
    );
    if (!already) await this.s3('copying to', versioned, () => this.store.copy(cache, versioned));
    const latest = this.store.key(this.r.functionName, 'latest', 'deps.zip');
    await this.s3('copying to', latest, () => this.store.copy(versioned, latest));
    return { key: versioned, depsKey: identified.key, ...zip };
  }

  /**
   * A layer zip at `cacheKey` (a layer cache of S3) that may be published: the object there when
   * it checks out, else the zip `build` makes, uploaded with the digest it is checked against next
   * time. `checkSize` sees the layer's unzipped size before anything is uploaded.
   */
  async layerCache(
    cacheKey: string,
    depsKey: string,
    build: () => Promise<DepsArtifact>,
    checkSize: (label: string, groups: Record<string, number>) => void,
  ): Promise<{ codeSha256: string; bytes: number }> {
    const reused = await this.cached(cacheKey);
    if (reused) {
      checkSize('deps', { 'layer (from S3)': Number(reused.meta[UNZIPPED_BYTES] ?? 0) });
      return { codeSha256: reused.codeSha256, bytes: reused.bytes };
    }
    const layer = await build();
    checkSize('deps', layer.groups);
    this.report('uploading dependencies');
    const metadata = { [UNZIPPED_BYTES]: String(layer.unzippedBytes), [DEPS_KEY]: depsKey, [ZIP_SHA256]: layer.sha256 };
    await this.s3('uploading to', cacheKey, () => this.store.upload(layer.path, cacheKey, metadata));
    return { codeSha256: layer.sha256, bytes: layer.bytes };
  }

  /**
   * The cache object's metadata when it may be published as it is: downloaded and checked to be
   * the bytes recorded at upload, with no entry that could land outside /opt. Otherwise null, and
   * the layer is built again (a mismatch never publishes).
   */
  private async cached(
    key: string,
  ): Promise<{ meta: Record<string, string>; codeSha256: string; bytes: number } | null> {
    const meta = await this.s3('reading', key, () => this.store.head(key));
    if (!meta) return null;
    const dir = join(this.ws.stateDir, 'tmp');
    await mkdirPrivate(dir);
    const local = join(dir, `verify-${process.pid}-${basename(key)}`);
    try {
      await this.s3('downloading', key, () => this.store.download(key, local));
      const sha = await fileSha256(local);
      const problem =
        sha !== meta[ZIP_SHA256]
          ? `its bytes (SHA-256 ${sha}) are not those recorded at upload (${meta[ZIP_SHA256] ?? 'none recorded'})`
          : unsafeZip(listZip(local));
      if (problem) {
        this.report(
          `dependencies: the cached layer ${this.store.url(key)} is not usable (${problem}); building it again`,
        );
        return null;
      }
      this.report('dependencies: reusing the layer zip already in S3');
      return { meta, codeSha256: sha!, bytes: (await stat(local)).size };
    } catch (e) {
      if (e instanceof DeployError) throw e;
      this.report(
        `dependencies: the cached layer ${this.store.url(key)} is not a readable zip (${(e as Error).message}); building it again`,
      );
      return null;
    } finally {
      await rm(local, { force: true });
    }
  }

  /** After a successful release only: the descriptor that produced the live layer. A failure is a warning: the release stands. */
  async descriptor(root: string, descriptor: string): Promise<string | null> {
    const key = this.store.key(this.r.functionName, 'latest', basename(descriptor));
    try {
      this.written.push(await this.store.upload(join(root, descriptor), key));
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

  /** A conditional upload: a key someone wrote between our read and our write is never overwritten. */
  private async put(key: string, run: () => Promise<string>): Promise<void> {
    try {
      this.written.push(await run());
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 412 || (e as Error).name === 'PreconditionFailed')
        throw this.immutable(key, 'bytes written meanwhile by another deploy', 'its own zip');
      throw new DeployError(
        `uploading to ${this.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}; nothing was released`,
      );
    }
  }

  private async s3<T>(what: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      if (typeof result === 'string') this.written.push(result);
      return result;
    } catch (e) {
      throw new DeployError(
        `${what} ${this.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}; nothing was released`,
      );
    }
  }
}
