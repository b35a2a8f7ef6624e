import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateFunctionCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetLayerVersionCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeZip } from '../src/package/zip.js';
import { LambdaStandin } from './harness/lambda-standin.js';
import { MotoS3 } from './harness/moto-s3.js';
import { tempDir } from './harness/tmp.js';

// The Lambda stand-in's S3ObjectStorageMode REFERENCE (the Developer Guide, "Self-managed S3 code
// storage"): code run from a versioned bucket, pinned to an object version, shown as
// ResolvedS3Object, not counted against the region's code storage. The bucket is moto's S3.

const ROLE = 'arn:aws:iam::123456789012:role/orders';

async function zip(text: string): Promise<Buffer> {
  const path = join(tempDir(), 'code.zip');
  const data = Buffer.from(text);
  await writeZip([{ name: 'app.py', source: { data }, size: data.length, executable: false }], path);
  return readFileSync(path);
}

async function withStandin(
  body: (lambda: LambdaClient, s3: MotoS3) => Promise<void>,
  opts: { versioned?: boolean } = {},
): Promise<void> {
  const s3 = await MotoS3.start(opts);
  const standin = await LambdaStandin.start({ s3Endpoint: s3.endpoint });
  const lambda = new LambdaClient({
    region: 'eu-west-1',
    endpoint: standin.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    await body(lambda, s3);
  } finally {
    lambda.destroy();
    await standin.close();
    await s3.close();
  }
}

async function refused(p: Promise<unknown>): Promise<Error & { name: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected Lambda to refuse');
}

/** orders, created from a zip sent inline (a copy in Lambda's storage). */
async function createOrders(lambda: LambdaClient, zipFile: Buffer): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'orders',
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: ROLE,
      Code: { ZipFile: zipFile },
    }),
  );
}

const usage = async (lambda: LambdaClient) =>
  (await lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!.TotalCodeSize!;

const reference = suite('lambda stand-in: S3ObjectStorageMode REFERENCE');

reference(
  'a function runs code referenced from a versioned bucket: ResolvedS3Object in GetFunction, no code storage taken',
  async () => {
    await withStandin(async (lambda, s3) => {
      const one = await zip('def handler(e, c):\n    return 1\n');
      await createOrders(lambda, one);
      const copied = await usage(lambda);
      assert.is(copied, one.length, 'a copy counts');
      const version = await s3.put('orders/app.zip', one);
      const updated = await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'orders',
          S3Bucket: s3.bucket,
          S3Key: 'orders/app.zip',
          S3ObjectVersion: version,
          S3ObjectStorageMode: 'REFERENCE',
        }),
      );
      assert.is(updated.CodeSize, one.length);
      await lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'orders', Qualifier: '1' }));
      assert.equal(got.Code!.ResolvedS3Object, {
        S3Bucket: s3.bucket,
        S3Key: 'orders/app.zip',
        S3ObjectVersion: version,
      });
      assert.is(await usage(lambda), 0, 'neither $LATEST nor version 1 counts: Lambda keeps no copy');

      // Written again, the key has a new version; the function still runs the one it pinned.
      await s3.put('orders/app.zip', await zip('def handler(e, c):\n    return 2\n'));
      const still = await lambda.send(new GetFunctionCommand({ FunctionName: 'orders', Qualifier: '1' }));
      assert.is(still.Code!.ResolvedS3Object!.S3ObjectVersion, version);
      assert.is(still.Configuration!.CodeSha256, updated.CodeSha256);

      // Without S3ObjectStorageMode the update is a copy again (every call must say REFERENCE).
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'orders',
          S3Bucket: s3.bucket,
          S3Key: 'orders/app.zip',
          S3ObjectVersion: version,
        }),
      );
      const latest = await lambda.send(new GetFunctionCommand({ FunctionName: 'orders' }));
      assert.is(latest.Code!.ResolvedS3Object, undefined);
      assert.is(await usage(lambda), one.length);
    });
  },
);

reference('an object version that does not exist, or a bucket without versioning, is refused', async () => {
  await withStandin(
    async (lambda, s3) => {
      const one = await zip('def handler(e, c):\n    return 1\n');
      await createOrders(lambda, one);
      await s3.put('orders/app.zip', one);
      const update = (version?: string) =>
        lambda.send(
          new UpdateFunctionCodeCommand({
            FunctionName: 'orders',
            S3Bucket: s3.bucket,
            S3Key: 'orders/app.zip',
            S3ObjectVersion: version,
            S3ObjectStorageMode: 'REFERENCE',
          }),
        );
      const unversioned = await refused(update());
      assert.is(unversioned.name, 'InvalidParameterValueException');
      assert.match(unversioned.message, `versioning is not enabled on bucket ${s3.bucket}`);
      const layer = await refused(
        lambda.send(
          new PublishLayerVersionCommand({
            LayerName: 'deps',
            Content: { S3Bucket: s3.bucket, S3Key: 'orders/app.zip', S3ObjectStorageMode: 'REFERENCE' },
          }),
        ),
      );
      assert.is(layer.name, 'InvalidParameterValueException');

      await s3.versioning('Enabled');
      await s3.put('orders/app.zip', one);
      const missing = await refused(update('no-such-version'));
      assert.is(missing.name, 'InvalidParameterValueException');
      assert.match(missing.message, /^Error occurred while GetObject\. S3 Error Code: /);
      const resolved = await update();
      assert.is(resolved.CodeSha256 !== undefined, true, 'without S3ObjectVersion the current version is pinned');
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'orders' }));
      assert.ok(got.Code!.ResolvedS3Object!.S3ObjectVersion);
    },
    { versioned: false },
  );
});

reference('a layer version published by reference shows it in Content, and takes no code storage', async () => {
  await withStandin(async (lambda, s3) => {
    const layerZip = await zip('VALUE = 1\n');
    const version = await s3.put('deps.zip', layerZip);
    const published = await lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'deps',
        Content: {
          S3Bucket: s3.bucket,
          S3Key: 'deps.zip',
          S3ObjectVersion: version,
          S3ObjectStorageMode: 'REFERENCE',
        },
      }),
    );
    const expected = { S3Bucket: s3.bucket, S3Key: 'deps.zip', S3ObjectVersion: version };
    assert.equal(published.Content!.ResolvedS3Object, expected);
    const got = await lambda.send(new GetLayerVersionCommand({ LayerName: 'deps', VersionNumber: 1 }));
    assert.equal(got.Content!.ResolvedS3Object, expected);
    assert.is(got.Content!.CodeSize, layerZip.length);
    assert.is(await usage(lambda), 0);
    const copy = await lambda.send(
      new PublishLayerVersionCommand({ LayerName: 'deps', Content: { S3Bucket: s3.bucket, S3Key: 'deps.zip' } }),
    );
    assert.is(copy.Content!.ResolvedS3Object, undefined);
    assert.is(await usage(lambda), layerZip.length);
  });
});

reference.run();
