import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CopyObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * The S3 layout, compatible with the original aws-lambda-ci:
 *   <prefix>/<functionName>/<sourceVersion>/app.zip   and  .../latest/app.zip
 *   <prefix>/<functionName>/<sourceVersion>/deps.zip  and  .../latest/deps.zip
 *   <prefix>/<functionName>/latest/<descriptor>        (after a successful release)
 * plus a content-addressed copy of each layer zip, so any machine and any environment can reuse
 * a layer without building it:
 *   <prefix>/_lci/deps/<cacheKey>.zip
 */
export class ArtifactStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly prefix: string,
  ) {}

  key(functionName: string, version: string, file: string): string {
    return `${this.prefix}/${functionName}/${version}/${file}`;
  }

  depsKey(cacheKey: string): string {
    return `${this.prefix}/_lci/deps/${cacheKey}.zip`;
  }

  /** The object's user metadata, or null when it does not exist. */
  async head(key: string): Promise<Record<string, string> | null> {
    try {
      const r = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return r.Metadata ?? {};
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  /** Uploads a file; multipart in 8 MB parts when it is larger than one part. Returns the key. */
  async upload(path: string, key: string, metadata: Record<string, string> = {}): Promise<string> {
    const size = (await stat(path)).size;
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: createReadStream(path), ContentLength: size, ContentType: 'application/zip', Metadata: metadata },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    });
    await upload.done();
    return key;
  }

  /** Server-side copy: no bytes leave this machine again. Returns the key written. */
  async copy(from: string, to: string): Promise<string> {
    await this.s3.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${encodeURI(from)}` }));
    return to;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }
}
