import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';

/** The S3 SDK is loaded at the first S3 request: a deploy where nothing changed never pays for it. */
const s3Sdk = () => import('@aws-sdk/client-s3');

/**
 * The S3 layout, compatible with the original aws-lambda-ci:
 *   <prefix>/<functionName>/<sourceVersion>/app.zip   and  .../latest/app.zip
 *   <prefix>/<functionName>/<sourceVersion>/deps.zip  and  .../latest/deps.zip
 *   <prefix>/<functionName>/latest/<descriptor>        (after a successful release)
 * Versioned keys are immutable: written once, never with other bytes. Plus a layer cache by
 * content key, scoped to one function in one environment (only that pipeline may write it, so no
 * other function's or branch's pipeline can change what this one publishes):
 *   <prefix>/_lci/deps/<env>/<functionName>/<cacheKey>.zip
 * and one for each shared layer in one environment, which only the pipelines of the functions
 * that use it may write (each of them may publish that layer anyway):
 *   <prefix>/_lci/layers/<env>/<layer>/<cacheKey>.zip
 * `_lci/layers/` and `_lci/deps/` are disjoint, so no function name can reach a shared layer's cache.
 */
export class ArtifactStore {
  constructor(
    private readonly s3: () => Promise<S3Client>,
    readonly bucket: string,
    private readonly prefix: string,
  ) {}

  key(functionName: string, version: string, file: string): string {
    return `${this.prefix}/${functionName}/${version}/${file}`;
  }

  depsKey(env: string, functionName: string, cacheKey: string): string {
    return `${this.prefix}/_lci/deps/${env}/${functionName}/${cacheKey}.zip`;
  }

  /** A shared layer's cache, by its name in lambdas.yaml. */
  sharedLayerKey(env: string, layer: string, cacheKey: string): string {
    return `${this.prefix}/_lci/layers/${env}/${layer}/${cacheKey}.zip`;
  }

  /** The object's user metadata, or null when it does not exist. */
  async head(key: string): Promise<Record<string, string> | null> {
    try {
      const { HeadObjectCommand } = await s3Sdk();
      const r = await (await this.s3()).send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.Metadata ?? {};
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  /**
   * Uploads a file; multipart in 8 MB parts when it is larger than one part. Returns the key.
   * `onlyIfAbsent` makes the write conditional (If-None-Match: *), so a key written meanwhile by
   * someone else is never overwritten; S3 then answers 412 PreconditionFailed.
   */
  async upload(
    path: string,
    key: string,
    metadata: Record<string, string> = {},
    onlyIfAbsent = false,
  ): Promise<string> {
    const size = (await stat(path)).size;
    const { Upload } = await import('@aws-sdk/lib-storage');
    const upload = new Upload({
      client: await this.s3(),
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: 'application/zip',
        Metadata: metadata,
        ...(onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
      },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    });
    await upload.done();
    return key;
  }

  /** Server-side copy: no bytes leave this machine again. Returns the key written. */
  async copy(from: string, to: string): Promise<string> {
    const { CopyObjectCommand } = await s3Sdk();
    await (await this.s3()).send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${encodeURI(from)}` }),
    );
    return to;
  }

  /** Downloads an object to a file. */
  async download(key: string, path: string): Promise<void> {
    const { GetObjectCommand } = await s3Sdk();
    const r = await (await this.s3()).send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    await pipeline(r.Body as NodeJS.ReadableStream, createWriteStream(path, { mode: 0o600 }));
  }

  /** Deletes the objects (those that do not exist are no error, as in S3); returns the keys asked for. */
  async delete(keys: string[]): Promise<string[]> {
    const { DeleteObjectsCommand } = await s3Sdk();
    const client = await this.s3();
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const r = await client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = r.Errors ?? [];
      if (failed.length > 0)
        throw new Error(`deleting ${failed.map((f) => `${f.Key}: ${f.Code} ${f.Message}`).join('; ')}`);
    }
    return keys;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}
