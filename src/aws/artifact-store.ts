import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { readFile, stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk, s3UploadSdk } from './sdk.js';

/** Uploads larger than this go in parts of this size (multipart). */
export const PART_BYTES = 8 * 1024 * 1024;

/** The S3 SDK is loaded at the first S3 request: a deploy where nothing changed never pays for it. */

/** An object's current version: its user metadata, and its VersionId on a versioned bucket (else null). */
export interface ObjectHead {
  metadata: Record<string, string>;
  versionId: string | null;
}

/** An object written: its key, and the VersionId S3 gave it on a versioned bucket (else null). */
export interface Stored {
  key: string;
  versionId: string | null;
}

/** One version of an object (or a delete marker) as ListObjectVersions lists it. */
export interface ObjectVersion {
  key: string;
  versionId: string;
  /** The current version of its key. */
  latest: boolean;
  deleteMarker: boolean;
}

/** The bucket's versioning, as GetBucketVersioning says it: never enabled answers no Status at all. */
export type BucketVersioning = 'Enabled' | 'Suspended' | 'never enabled';

/** S3's "null" version: what a bucket that was never versioned calls every object's version. */
const NULL_VERSION = 'null';

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

  /** The object's user metadata and version, or null when it does not exist. */
  async head(key: string): Promise<ObjectHead | null> {
    try {
      const { HeadObjectCommand } = s3Sdk();
      const r = await (await this.s3()).send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { metadata: r.Metadata ?? {}, versionId: versionOf(r.VersionId) };
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  /**
   * Uploads a file; multipart in 8 MB parts when it is larger than one part. Returns the key and,
   * on a versioned bucket, the VersionId of exactly these bytes (PutObject and
   * CompleteMultipartUpload both answer it).
   * `onlyIfAbsent` makes the write conditional (If-None-Match: *), so a key written meanwhile by
   * someone else is never overwritten; S3 then answers 412 PreconditionFailed.
   */
  async upload(
    path: string,
    key: string,
    metadata: Record<string, string> = {},
    onlyIfAbsent = false,
  ): Promise<Stored> {
    const size = (await stat(path)).size;
    const params = {
      Bucket: this.bucket,
      Key: key,
      ContentType: 'application/zip',
      Metadata: metadata,
      ...(onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
    };
    if (size <= PART_BYTES) {
      // One PutObject, as lib-storage would send for one part; without loading lib-storage (~15 ms).
      const { PutObjectCommand } = s3Sdk();
      const put = await (await this.s3()).send(new PutObjectCommand({ ...params, Body: await readFile(path) }));
      return { key, versionId: versionOf(put.VersionId) };
    }
    const { Upload } = s3UploadSdk();
    const upload = new Upload({
      client: await this.s3(),
      params: { ...params, Body: createReadStream(path), ContentLength: size },
      partSize: PART_BYTES,
      queueSize: 4,
    });
    const done = await upload.done();
    return { key, versionId: versionOf(done.VersionId) };
  }

  /** Server-side copy: no bytes leave this machine again. Returns the key written. */
  async copy(from: string, to: string): Promise<string> {
    const { CopyObjectCommand } = s3Sdk();
    await (await this.s3()).send(
      new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${encodeURI(from)}` }),
    );
    return to;
  }

  /** Downloads an object to a file; returns the VersionId of the bytes downloaded (null on an unversioned bucket). */
  async download(key: string, path: string): Promise<string | null> {
    const { GetObjectCommand } = s3Sdk();
    const r = await (await this.s3()).send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    await pipeline(r.Body as NodeJS.ReadableStream, createWriteStream(path, { mode: 0o600 }));
    return versionOf(r.VersionId);
  }

  /** GetBucketVersioning: whether S3 keeps every version of an object (what Lambda's REFERENCE storage pins). */
  async versioning(): Promise<BucketVersioning> {
    const { GetBucketVersioningCommand } = s3Sdk();
    const r = await (await this.s3()).send(new GetBucketVersioningCommand({ Bucket: this.bucket }));
    return r.Status === 'Enabled' || r.Status === 'Suspended' ? r.Status : 'never enabled';
  }

  /** Every version (and delete marker) of the keys under `prefix`. */
  async versions(prefix: string): Promise<ObjectVersion[]> {
    const { ListObjectVersionsCommand } = s3Sdk();
    const client = await this.s3();
    const out: ObjectVersion[] = [];
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const r = await client.send(
        new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix, KeyMarker, VersionIdMarker }),
      );
      for (const v of r.Versions ?? [])
        out.push({
          key: v.Key!,
          versionId: v.VersionId ?? NULL_VERSION,
          latest: v.IsLatest === true,
          deleteMarker: false,
        });
      for (const m of r.DeleteMarkers ?? [])
        out.push({
          key: m.Key!,
          versionId: m.VersionId ?? NULL_VERSION,
          latest: m.IsLatest === true,
          deleteMarker: true,
        });
      const more = r.IsTruncated === true;
      KeyMarker = more ? r.NextKeyMarker : undefined;
      VersionIdMarker = more ? r.NextVersionIdMarker : undefined;
    } while (KeyMarker);
    return out;
  }

  /**
   * Deletes the objects (those that do not exist are no error, as in S3); returns the keys asked for.
   * With a VersionId, that version itself is deleted for good (on a versioned bucket a delete without
   * one only stacks a delete marker on the key: every version stays, and keeps costing).
   */
  async delete(objects: (string | { key: string; versionId: string })[]): Promise<string[]> {
    const { DeleteObjectsCommand } = s3Sdk();
    const client = await this.s3();
    const all = objects.map((o) => (typeof o === 'string' ? { Key: o } : { Key: o.key, VersionId: o.versionId }));
    for (let i = 0; i < all.length; i += 1000) {
      const r = await client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: all.slice(i, i + 1000), Quiet: true } }),
      );
      const failed = r.Errors ?? [];
      if (failed.length > 0)
        throw new Error(
          `deleting ${failed.map((f) => `${f.Key}${f.VersionId ? `?versionId=${f.VersionId}` : ''}: ${f.Code} ${f.Message}`).join('; ')}`,
        );
    }
    return all.map((o) => o.Key);
  }

  url(key: string, versionId?: string | null): string {
    return `s3://${this.bucket}/${key}${versionId ? `?versionId=${versionId}` : ''}`;
  }
}

/** A VersionId S3 answered; an unversioned bucket answers none (or "null", the version of an object put before versioning). */
function versionOf(id: string | undefined): string | null {
  return id && id !== NULL_VERSION ? id : null;
}
