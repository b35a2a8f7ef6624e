import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { tempDir } from './tmp.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** An S3 server with one bucket that lci and the Lambda stand-in talk to (s3rver; moto's S3 where versions matter). */
export interface S3Endpoint {
  readonly endpoint: string;
  readonly bucket: string;
  readonly client: S3Client;
  keys(prefix?: string): Promise<string[]>;
  get(key: string): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * S3 refuses a PutObject carrying `If-None-Match: *` when the key already holds an object: 412
 * PreconditionFailed (conditional writes, since August 2024). s3rver ignores the header and
 * overwrites, so the harness answers for it, in front of its own handlers.
 */
function honourConditionalPut(server: S3rver): void {
  const store = (server as unknown as { store: { existsObject(bucket: string, key: string): Promise<boolean> } }).store;
  inFront(server, async (ctx, next) => {
    if (ctx.method === 'PUT' && ctx.get('if-none-match') === '*' && !ctx.get('x-amz-copy-source')) {
      const [bucket, ...key] = decodeURIComponent(ctx.path).slice(1).split('/');
      if (bucket && key.length > 0 && !('partNumber' in ctx.query) && (await store.existsObject(bucket, key.join('/'))))
        return s3Error(
          ctx,
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
          '<Condition>If-None-Match</Condition>',
        );
    }
    await next();
  });
}

/** A request as a bucket policy sees it: the method, the object key, and for a copy the source. */
export interface S3Request {
  method: string;
  key: string;
  copySource: string | null;
}

/**
 * Requests that S3 answers 403 AccessDenied, as it does when a bucket policy denies them (the
 * harness's way of failing one S3 step: `S3Server.deny`).
 */
function honourDenials(server: S3rver, denied: ((r: S3Request) => boolean)[]): void {
  inFront(server, async (ctx, next) => {
    const key = decodeURIComponent(ctx.path).slice(1).split('/').slice(1).join('/');
    const request = { method: ctx.method, key, copySource: ctx.get('x-amz-copy-source') || null };
    if (denied.some((rule) => rule(request))) return s3Error(ctx, 403, 'AccessDenied', 'Access Denied');
    await next();
  });
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, unknown>;
  get(header: string): string;
  status: number;
  type: string;
  body: string;
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/** Runs `middleware` before s3rver's own handlers (s3rver is a Koa application, and Koa runs its middleware in order). */
function inFront(server: S3rver, middleware: Middleware): void {
  (server as unknown as { middleware: Middleware[] }).middleware.unshift(middleware);
}

/** An S3 error answer: its status and XML document. */
function s3Error(ctx: KoaContext, status: number, code: string, message: string, more = ''): void {
  ctx.status = status;
  ctx.type = 'application/xml';
  ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message>${more}</Error>`;
}

/** A real S3-compatible server (s3rver) on 127.0.0.1, with one bucket. No versioning (s3rver answers NotImplemented). */
export class S3Server implements S3Endpoint {
  private constructor(
    private readonly server: S3rver,
    private readonly denied: ((r: S3Request) => boolean)[],
    readonly endpoint: string,
    readonly bucket: string,
    readonly client: S3Client,
  ) {}

  static async start(bucket = 'acme-artifacts'): Promise<S3Server> {
    const server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      directory: tempDir('lci-s3-'),
      silent: true,
      configureBuckets: [{ name: bucket, configs: [] }],
    });
    honourConditionalPut(server);
    const denied: ((r: S3Request) => boolean)[] = [];
    honourDenials(server, denied);
    const { port } = (await server.run()) as { port: number };
    const endpoint = `http://127.0.0.1:${port}`;
    const client = new S3Client({
      region: 'eu-west-1',
      endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3Server(server, denied, endpoint, bucket, client);
  }

  /** From now on, requests matching `rule` are refused with 403 AccessDenied, as a bucket policy's Deny does. */
  deny(rule: (r: S3Request) => boolean): void {
    this.denied.push(rule);
  }

  keys(prefix = ''): Promise<string[]> {
    return listKeys(this.client, this.bucket, prefix);
  }

  async get(key: string): Promise<Buffer> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  async close(): Promise<void> {
    this.client.destroy();
    await this.server.close();
  }
}

/** Every key under the prefix, sorted. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(r.Contents ?? []).map((o) => o.Key!));
    token = r.NextContinuationToken;
  } while (token);
  return out.sort();
}

/** s3rver accepts these; the SDK needs some credentials to sign with. */
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Environment for an lci child process talking to the stand-ins. */
export function awsEnv(
  s3: S3Endpoint,
  lambdaEndpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}
