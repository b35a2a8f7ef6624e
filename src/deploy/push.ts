import { basename, join } from 'node:path';
import type { ArtifactStore } from '../aws/artifact-store.js';
import type { DependencyBuilder, IdentifiedDependencies } from '../builder/dependency-builder.js';
import type { CodePackage } from '../artifacts/code-package.js';
import { checkSizes } from '../artifacts/code-package.js';
import type { ResolvedFunction } from '../config/types.js';
import { DeployError } from '../errors.js';

const UNZIPPED_BYTES = 'lci-unzipped-bytes';

/**
 * The S3 half of a function's deploy: the code zip under its source version (and latest/), the
 * layer zip content-addressed (built only when no machine has pushed it) and copied beside the
 * code, and after a release the descriptor that produced the live layer. Every S3 failure names
 * the object and says that nothing was released.
 */
export class Pusher {
  /** S3 keys written, in order. */
  readonly written: string[] = [];
  private codeKey: Promise<string> | undefined;

  constructor(
    private readonly store: ArtifactStore,
    private readonly r: ResolvedFunction,
    private readonly sourceVersion: string,
    private readonly report: (m: string) => void,
  ) {}

  /** Uploads the code zip once, checking it is the CodeSha256 the decision was made on; returns its key. */
  code(pkg: CodePackage, expectedSha256: string): Promise<string> {
    this.codeKey ??= (async () => {
      const z = await pkg.zip();
      if (z.sha256 !== expectedSha256)
        throw new DeployError(
          `the code of ${this.r.name} zipped to CodeSha256 ${z.sha256}, not the ${expectedSha256} its fingerprint promised (a different zlib?); re-run`,
        );
      const key = this.store.key(this.r.functionName, this.sourceVersion, 'app.zip');
      this.report('uploading code');
      await this.s3('uploading to', key, () => this.store.upload(z.path, key, { 'lci-code-sha256': z.sha256, 'lci-source-version': this.sourceVersion }));
      await this.s3('copying to', this.store.key(this.r.functionName, 'latest', 'app.zip'), () =>
        this.store.copy(key, this.store.key(this.r.functionName, 'latest', 'app.zip')),
      );
      return key;
    })();
    return this.codeKey;
  }

  /** The layer zip in S3 under this source version, reusing the content-addressed copy any machine pushed. */
  async layer(deps: DependencyBuilder, identified: IdentifiedDependencies, codeGroups: Record<string, number>): Promise<{ key: string; depsKey: string }> {
    const shared = this.store.depsKey(identified.key);
    const cached = await this.s3('reading', shared, () => this.store.head(shared));
    if (cached) {
      this.report('dependencies: reusing the layer zip already in S3');
      checkSizes(codeGroups, { 'layer (from S3)': Number(cached[UNZIPPED_BYTES] ?? 0) });
    } else {
      const layer = (await deps.layer(this.r, this.report, identified))!;
      checkSizes(codeGroups, layer.groups);
      this.report('uploading dependencies');
      await this.s3('uploading to', shared, () =>
        this.store.upload(layer.path, shared, { [UNZIPPED_BYTES]: String(layer.unzippedBytes), 'lci-deps-key': identified.key }),
      );
    }
    const versioned = this.store.key(this.r.functionName, this.sourceVersion, 'deps.zip');
    await this.s3('copying to', versioned, () => this.store.copy(shared, versioned));
    const latest = this.store.key(this.r.functionName, 'latest', 'deps.zip');
    await this.s3('copying to', latest, () => this.store.copy(shared, latest));
    return { key: versioned, depsKey: identified.key };
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

  private async s3<T>(what: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      if (typeof result === 'string') this.written.push(result);
      return result;
    } catch (e) {
      throw new DeployError(`${what} ${this.store.url(key)} failed: ${(e as Error).name}: ${(e as Error).message}; nothing was released`);
    }
  }
}
