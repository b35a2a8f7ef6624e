import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Moto } from './moto.js';
import { CREDENTIALS, listKeys, type S3Endpoint } from './s3.js';

/**
 * S3 with versioning, for REFERENCE code storage: moto's S3 (s3rver answers NotImplemented to
 * GetBucketVersioning and PutBucketVersioning, and gives objects no VersionId). One bucket in
 * eu-west-1, versioned unless `versioned: false`. The Lambda stand-in reads code from it as from
 * s3rver (moto takes any credentials until IAM is enforced).
 */
export class MotoS3 implements S3Endpoint {
  private constructor(
    private readonly moto: Moto,
    readonly endpoint: string,
    readonly bucket: string,
    readonly client: S3Client,
  ) {}

  static async start(opts: { bucket?: string; versioned?: boolean } = {}): Promise<MotoS3> {
    const moto = await Moto.start();
    const bucket = opts.bucket ?? 'acme-artifacts';
    const client = new S3Client({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const s3 = new MotoS3(moto, moto.endpoint, bucket, client);
    try {
      await client.send(
        new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
      if (opts.versioned !== false) await s3.versioning('Enabled');
    } catch (e) {
      await s3.close();
      throw e;
    }
    return s3;
  }

  async versioning(status: 'Enabled' | 'Suspended'): Promise<void> {
    await this.client.send(
      new PutBucketVersioningCommand({ Bucket: this.bucket, VersioningConfiguration: { Status: status } }),
    );
  }

  /** Writes the key as anyone with write access could (a new current version on a versioned bucket). */
  async put(key: string, body: Buffer): Promise<string | undefined> {
    return (await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }))).VersionId;
  }

  keys(prefix = ''): Promise<string[]> {
    return listKeys(this.client, this.bucket, prefix);
  }

  /** Every object version (not the delete markers) under the prefix, as `key?versionId=ID`, sorted. */
  async versions(prefix = ''): Promise<string[]> {
    const r = await this.client.send(new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: prefix }));
    return (r.Versions ?? []).map((v) => `${v.Key}?versionId=${v.VersionId}`).sort();
  }

  async get(key: string, versionId?: string): Promise<Buffer> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  async close(): Promise<void> {
    this.client.destroy();
    this.moto.stop();
  }
}
