import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateAliasCommand, CreateFunctionCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { type BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { writeZip } from '../../src/package/zip.js';
import { tempDir } from './tmp.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * moto 5 (a third-party AWS emulator, `python3 -m moto.server`) on 127.0.0.1, as a cross-check of
 * what the stand-ins answer. With `iam`, it runs test/harness/moto_iam_server.py: moto with
 * Lambda's and CloudWatch's resource-level IAM checks; `enforceIam()` then starts checking every
 * request against the policies of the caller (moto's own reset-auth API, what its
 * INITIAL_NO_AUTH_ACTION_COUNT setting controls). Tests fail, never skip, when moto is missing.
 */
/** Any access key works with moto until IAM is enforced; this one names the set-up requests. */
export const MOTO_ACCESS_KEY = 'AKIAIOSFODNN7SETUP00';

export class Moto {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoint: string,
    private readonly output: () => string,
  ) {}

  static async start(opts: { iam?: boolean } = {}): Promise<Moto> {
    const port = await freePort();
    const script = fileURLToPath(new URL('./moto_iam_server.py', import.meta.url));
    const args = opts.iam
      ? [script, '-H', '127.0.0.1', '-p', String(port)]
      : ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)];
    const child = spawn('python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const endpoint = `http://127.0.0.1:${port}`;
    const moto = new Moto(child, endpoint, () => output);
    for (let i = 0; i < 200; i++) {
      if (child.exitCode !== null) throw new Error(`moto exited ${child.exitCode}: ${output}`);
      try {
        if ((await fetch(`${endpoint}/moto-api/`)).status < 500) return moto;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    moto.stop();
    throw new Error(`moto did not answer on ${endpoint}: ${output}`);
  }

  /** From the next request on, every request is authenticated and checked against its caller's IAM policies. */
  async enforceIam(): Promise<void> {
    const r = await fetch(`${this.endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    if (!r.ok) throw new Error(`moto reset-auth: ${r.status} ${await r.text()}`);
  }

  /**
   * One IAM call (Query protocol), before IAM is enforced: moto routes it by the credential scope
   * of its Authorization header and checks no signature until then. Returns the response's XML.
   */
  async iam(action: string, params: Record<string, string>): Promise<string> {
    const body = new URLSearchParams({ Action: action, Version: '2010-05-08', ...params });
    const r = await fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_ACCESS_KEY}/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body,
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`moto iam ${action}: ${r.status} ${text}`);
    return text;
  }

  /** An IAM user whose only permissions are these inline policies (name → JSON document), and its access key. */
  async userWith(
    name: string,
    policies: Record<string, string>,
  ): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    await this.iam('CreateUser', { UserName: name });
    for (const [policy, document] of Object.entries(policies))
      await this.iam('PutUserPolicy', { UserName: name, PolicyName: policy, PolicyDocument: document });
    const key = await this.iam('CreateAccessKey', { UserName: name });
    const field = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(key)![1]!;
    return { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey') };
  }

  /**
   * What Terraform would have made before a first deploy, as the set-up user: the artifacts
   * bucket, an execution role, and each function with version 1 of some old code and its aliases on it.
   */
  async seed(region: string, functions: { name: string; aliases: string[] }[]): Promise<void> {
    const config = {
      region,
      endpoint: this.endpoint,
      credentials: { accessKeyId: MOTO_ACCESS_KEY, secretAccessKey: 'x' },
    };
    await new S3Client({ ...config, forcePathStyle: true }).send(
      new CreateBucketCommand({
        Bucket: 'acme-artifacts',
        CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint },
      }),
    );
    await this.iam('CreateRole', { RoleName: 'lambda-exec', AssumeRolePolicyDocument: '{"Statement":[]}' });
    const zip = join(tempDir(), 'old.zip');
    const data = Buffer.from('def handler(event, context):\n    return "old"\n');
    await writeZip([{ name: 'app.py', source: { data }, size: data.length, executable: false }], zip);
    const lambda = new LambdaClient(config);
    for (const f of functions) {
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: f.name,
          Runtime: 'python3.12',
          Handler: 'app.handler',
          Role: 'arn:aws:iam::123456789012:role/lambda-exec',
          Code: { ZipFile: readFileSync(zip) },
        }),
      );
      const v = await lambda.send(new PublishVersionCommand({ FunctionName: f.name }));
      for (const alias of f.aliases)
        await lambda.send(new CreateAliasCommand({ FunctionName: f.name, Name: alias, FunctionVersion: v.Version! }));
    }
  }

  /** moto's log (one line per request), for a failed assertion's message. */
  log(): string {
    return this.output();
  }

  /** Stops moto; with LCI_TEST_MOTO_LOG set, its log is written there first (to see every request of a run). */
  stop(): void {
    if (process.env.LCI_TEST_MOTO_LOG) writeFileSync(process.env.LCI_TEST_MOTO_LOG, this.output());
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
