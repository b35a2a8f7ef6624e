import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CodeStorageExceededException,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteLayerVersionCommand,
  GetAccountSettingsCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  TagResourceCommand,
  TooManyRequestsException,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { writeZip } from '../src/package/zip.js';
import { CloudWatchStandin } from './harness/cloudwatch-standin.js';
import { LambdaStandin, type LambdaStandinOptions } from './harness/lambda-standin.js';
import { tempDir } from './harness/tmp.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const BUCKET = 'acme-artifacts';
const ROLE = 'arn:aws:iam::123456789012:role/orders';
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:orders';
const LAYER_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver ships no types.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: object) => S3rverInstance;

interface Context {
  s3server: S3rverInstance;
  s3Endpoint: string;
  s3: S3Client;
  standin: LambdaStandin;
  lambda: LambdaClient;
}
const ctx = {} as Context;

// --- helpers

async function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const out = join(tempDir(), 'code.zip');
  const entries = Object.entries(files).map(([name, content]) => {
    const data = Buffer.from(content);
    return { name, source: { data }, size: data.length, executable: false };
  });
  await writeZip(entries, out);
  return readFileSync(out);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

async function upload(key: string, body: Buffer): Promise<void> {
  await ctx.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
}

type SdkError = Error & {
  $metadata?: { httpStatusCode?: number };
  retryAfterSeconds?: string;
  Reason?: string;
  Type?: string;
};

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

async function expectError(
  promise: Promise<unknown>,
  name: string,
  status: number,
  message?: string | RegExp,
): Promise<SdkError> {
  const err = await failure(promise);
  assert.is(err.name, name, err.message);
  assert.is(err.$metadata?.httpStatusCode, status);
  if (typeof message === 'string') assert.is(err.message, message);
  else if (message) assert.match(err.message, message);
  return err;
}

const APP = 'def handler(event, context):\n    return {"ok": True}\n';

async function seedOrders(aliases: string[] = ['live']): Promise<void> {
  ctx.standin.seedFunction({
    name: 'orders',
    runtime: 'python3.12',
    handler: 'app.handler',
    zip: await zipOf({ 'app.py': APP }),
    aliases,
  });
}

async function revision(name = 'orders'): Promise<string> {
  const { Configuration } = await ctx.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  return Configuration!.RevisionId!;
}

/** Updates the code with a new zip and publishes it: returns the new version number. */
async function publishNewCode(marker: string): Promise<string> {
  await ctx.lambda.send(
    new UpdateFunctionCodeCommand({
      FunctionName: 'orders',
      ZipFile: await zipOf({ 'app.py': `${APP}# ${marker}\n` }),
    }),
  );
  const published = await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
  return published.Version!;
}

async function publishLayer(name: string, zip: Buffer, description = ''): Promise<string> {
  const out = await ctx.lambda.send(
    new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: zip }, Description: description }),
  );
  return out.LayerVersionArn!;
}

// --- Lambda

const lambda = suite('lambda stand-in');

lambda.before(async () => {
  ctx.s3server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: tempDir(),
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await ctx.s3server.run();
  ctx.s3Endpoint = `http://127.0.0.1:${port}`;
  ctx.s3 = new S3Client({
    endpoint: ctx.s3Endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});

lambda.after(async () => {
  ctx.s3.destroy();
  await ctx.s3server.close();
});

lambda.before.each(async () => {
  ctx.standin = await LambdaStandin.start({ s3Endpoint: ctx.s3Endpoint });
  ctx.lambda = lambdaClient(ctx.standin.endpoint);
});

lambda.after.each(async () => {
  ctx.lambda.destroy();
  await ctx.standin.close();
});

lambda(
  'CreateFunction and UpdateFunctionCode fetch the zip from S3: CodeSha256 and CodeSize are those of the object',
  async () => {
    const first = await zipOf({ 'app.py': APP });
    await upload('lambda-ci/orders/1.zip', first);
    const created = await ctx.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders',
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Role: ROLE,
        Code: { S3Bucket: BUCKET, S3Key: 'lambda-ci/orders/1.zip' },
      }),
    );
    assert.is(created.CodeSha256, sha256(first));
    assert.is(created.CodeSize, first.length);
    assert.is(created.FunctionArn, ARN);
    assert.is(created.Version, '$LATEST');
    assert.is(created.State, 'Pending');
    assert.match(created.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

    const second = await zipOf({ 'app.py': `${APP}# v2\n`, 'lib/util.py': 'X = 1\n' });
    await upload('lambda-ci/orders/2.zip', second);
    const updated = await ctx.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'orders', S3Bucket: BUCKET, S3Key: 'lambda-ci/orders/2.zip' }),
    );
    assert.is(updated.CodeSha256, sha256(second));
    assert.is(updated.CodeSize, second.length);
    assert.is(updated.LastUpdateStatus, 'InProgress');

    const { Configuration, Code } = await ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' }));
    assert.is(Configuration!.CodeSha256, sha256(second));
    assert.is(Configuration!.State, 'Active');
    assert.is(Configuration!.LastUpdateStatus, 'Successful');
    assert.is(Code!.RepositoryType, 'S3');

    const inline = await zipOf({ 'app.py': `${APP}# inline\n` });
    const viaZipFile = await ctx.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: inline }),
    );
    assert.is(viaZipFile.CodeSha256, sha256(inline));
  },
);

lambda('code that is missing from S3 or not a zip is an InvalidParameterValueException', async () => {
  await seedOrders();
  await expectError(
    ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', S3Bucket: BUCKET, S3Key: 'nope.zip' })),
    'InvalidParameterValueException',
    400,
    /^Error occurred while GetObject\. S3 Error Code: NoSuchKey\. S3 Error Message: /,
  );
  await upload('garbage.zip', Buffer.from('not a zip at all'));
  await expectError(
    ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', S3Bucket: BUCKET, S3Key: 'garbage.zip' })),
    'InvalidParameterValueException',
    400,
    /^Could not unzip uploaded file/,
  );
  await expectError(
    ctx.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders',
        Runtime: 'python3.12',
        Handler: 'a.b',
        Role: ROLE,
        Code: { ZipFile: await zipOf({ a: 'a' }) },
      }),
    ),
    'ResourceConflictException',
    409,
    'Function already exist: orders',
  );
  await expectError(
    ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'billing' })),
    'ResourceNotFoundException',
    404,
    `Function not found: ${ARN.replace('orders', 'billing')}`,
  );
});

lambda(
  'an update stays InProgress for updateDelayMs: updates and PublishVersion conflict, then it is Successful',
  async () => {
    ctx.standin.updateDelayMs = 250;
    await seedOrders();
    const started = await ctx.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: await zipOf({ 'app.py': `${APP}# 2\n` }) }),
    );
    assert.is(started.LastUpdateStatus, 'InProgress');
    assert.is(started.State, 'Active');

    const inProgress = `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}`;
    await expectError(
      ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'x' })),
      'ResourceConflictException',
      409,
      inProgress,
    );
    await expectError(
      ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: await zipOf({ a: 'a' }) })),
      'ResourceConflictException',
      409,
      inProgress,
    );
    await expectError(
      ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' })),
      'ResourceConflictException',
      409,
      inProgress,
    );
    const during = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
    assert.is(during.LastUpdateStatus, 'InProgress');
    assert.is(during.RevisionId, started.RevisionId);

    await sleep(300);
    const after = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
    assert.is(after.LastUpdateStatus, 'Successful');
    assert.is.not(
      after.RevisionId,
      started.RevisionId,
      'like AWS, the RevisionId changes again when the update finishes',
    );
    const described = await ctx.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'x' }),
    );
    assert.is(described.Description, 'x');
  },
);

lambda('failNextUpdate makes the next update end Failed, with its reason; the one after succeeds', async () => {
  await seedOrders();
  ctx.standin.failNextUpdate('orders', 'The runtime is not supported.', 'InvalidRuntime');
  const started = await ctx.lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Handler: 'app.main' }),
  );
  assert.is(started.LastUpdateStatus, 'InProgress');
  const failed = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
  assert.is(failed.LastUpdateStatus, 'Failed');
  assert.is(failed.LastUpdateStatusReason, 'The runtime is not supported.');
  assert.is(failed.LastUpdateStatusReasonCode, 'InvalidRuntime');
  await ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Handler: 'app.handler' }));
  const fixed = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
  assert.is(fixed.LastUpdateStatus, 'Successful');
  assert.is(fixed.LastUpdateStatusReason, undefined);
});

lambda(
  'RevisionId preconditions: code update, PublishVersion and UpdateAlias fail with PreconditionFailedException',
  async () => {
    await seedOrders();
    const message =
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id';
    const zip = await zipOf({ 'app.py': `${APP}# 2\n` });
    await expectError(
      ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: zip, RevisionId: 'stale' })),
      'PreconditionFailedException',
      412,
      message,
    );
    const before = await revision();
    await ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: zip, RevisionId: before }));
    await expectError(
      ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders', RevisionId: before })),
      'PreconditionFailedException',
      412,
      message,
    );
    const published = await ctx.lambda.send(
      new PublishVersionCommand({ FunctionName: 'orders', RevisionId: await revision() }),
    );
    assert.is(published.Version, '2');

    const alias = await ctx.lambda.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'live' }));
    await expectError(
      ctx.lambda.send(
        new UpdateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '2', RevisionId: 'stale' }),
      ),
      'PreconditionFailedException',
      412,
      message,
    );
    const moved = await ctx.lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'orders',
        Name: 'live',
        FunctionVersion: '2',
        RevisionId: alias.RevisionId,
      }),
    );
    assert.is(moved.FunctionVersion, '2');
    assert.is.not(moved.RevisionId, alias.RevisionId);
    await expectError(
      ctx.lambda.send(
        new UpdateAliasCommand({
          FunctionName: 'orders',
          Name: 'live',
          FunctionVersion: '1',
          RevisionId: alias.RevisionId,
        }),
      ),
      'PreconditionFailedException',
      412,
    );
    assert.is(ctx.standin.functionState('orders')!.aliases.live!.FunctionVersion, '2');
  },
);

lambda(
  'PublishVersion returns the existing version when nothing changed and refuses a different CodeSha256',
  async () => {
    await seedOrders();
    const again = await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    assert.is(again.Version, '1');
    assert.is(again.FunctionArn, `${ARN}:1`);

    const v1 = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders', Qualifier: '1' }));
    await ctx.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: await zipOf({ 'app.py': `${APP}# 2\n` }) }),
    );
    const current = (await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' })))
      .CodeSha256!;
    await expectError(
      ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders', CodeSha256: v1.CodeSha256 })),
      'InvalidParameterValueException',
      400,
      `CodeSHA256 (${v1.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
    );
    const v2 = await ctx.lambda.send(
      new PublishVersionCommand({ FunctionName: 'orders', CodeSha256: current, Description: 'release 2' }),
    );
    assert.is(v2.Version, '2');
    assert.is(v2.Description, 'release 2');
    assert.is((await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }))).Version, '2');

    // Like AWS, any update call counts as a change, even one that sets what was already there.
    await ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Handler: 'app.handler' }));
    assert.is((await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }))).Version, '3');

    const versions = await ctx.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'orders' }));
    assert.equal(
      versions.Versions!.map((v) => v.Version),
      ['$LATEST', '1', '2', '3'],
    );
    assert.is(versions.Versions![0]!.FunctionArn, `${ARN}:$LATEST`);
    const firstPage = await ctx.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'orders', MaxItems: 3 }));
    assert.is(firstPage.Versions!.length, 3);
    const rest = await ctx.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'orders', Marker: firstPage.NextMarker }),
    );
    assert.equal(
      rest.Versions!.map((v) => v.Version),
      ['3'],
    );

    // Versions are immutable; an alias qualifier resolves to its version under the alias ARN.
    const stillV1 = await ctx.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'orders', Qualifier: '1' }),
    );
    assert.is(stillV1.CodeSha256, v1.CodeSha256);
    assert.is(stillV1.RevisionId, v1.RevisionId);
    const live = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${ARN}:live` }));
    assert.is(live.Version, '1');
    assert.is(live.FunctionArn, `${ARN}:live`);
    await expectError(
      ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders', Qualifier: '9' })),
      'ResourceNotFoundException',
      404,
      `Function not found: ${ARN}:9`,
    );
  },
);

lambda('alias routing: one additional published version, weight 0..1, never with $LATEST', async () => {
  await seedOrders([]);
  assert.is(await publishNewCode('2'), '2');
  assert.is(await publishNewCode('3'), '3');
  const create = (Name: string, FunctionVersion: string, weights?: Record<string, number>) =>
    ctx.lambda.send(
      new CreateAliasCommand({
        FunctionName: 'orders',
        Name,
        FunctionVersion,
        RoutingConfig: weights && { AdditionalVersionWeights: weights },
      }),
    );

  const canary = await create('canary', '3', { '2': 0.1 });
  assert.is(canary.AliasArn, `${ARN}:canary`);
  const got = await ctx.lambda.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'canary' }));
  assert.equal(got.RoutingConfig, { AdditionalVersionWeights: { '2': 0.1 } });
  assert.is(got.RevisionId, canary.RevisionId);
  await create('edge-zero', '3', { '1': 0 });
  await create('edge-one', '3', { '1': 1 });

  await expectError(
    create('two', '3', { '1': 0.1, '2': 0.1 }),
    'InvalidParameterValueException',
    400,
    'Number of items in AdditionalVersionWeights cannot be greater than 1',
  );
  await expectError(
    create('heavy', '3', { '2': 1.5 }),
    'ValidationException',
    400,
    /at 'routingConfig.additionalVersionWeights' failed to satisfy constraint/,
  );
  await expectError(create('negative', '3', { '2': -0.1 }), 'ValidationException', 400);
  await expectError(
    create('self', '3', { '3': 0.5 }),
    'InvalidParameterValueException',
    400,
    'Invalid function version 3. Function version 3 is already included in routing configuration.',
  );
  await expectError(
    create('latest', '$LATEST', { '2': 0.5 }),
    'InvalidParameterValueException',
    400,
    '$LATEST is not supported for an alias pointing to more than 1 version',
  );
  await expectError(
    create('ghost', '3', { '9': 0.5 }),
    'ResourceNotFoundException',
    404,
    `Function not found: ${ARN}:9`,
  );
  await expectError(create('nine', '9'), 'ResourceNotFoundException', 404, `Function not found: ${ARN}:9`);
  await expectError(create('123', '1'), 'ValidationException', 400);
  await expectError(create('canary', '1'), 'ResourceConflictException', 409, `Alias already exists: ${ARN}:canary`);
  const head = await create('head', '$LATEST');
  assert.is(head.FunctionVersion, '$LATEST');
  assert.is(head.RoutingConfig, undefined);

  // Routing that is not sent stays and must still fit the new version; an empty map clears it.
  await expectError(
    ctx.lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'canary', FunctionVersion: '2' })),
    'InvalidParameterValueException',
    400,
    /already included in routing configuration/,
  );
  const promoted = await ctx.lambda.send(
    new UpdateAliasCommand({
      FunctionName: 'orders',
      Name: 'canary',
      FunctionVersion: '2',
      RoutingConfig: { AdditionalVersionWeights: {} },
    }),
  );
  assert.is(promoted.RoutingConfig, undefined);
  assert.equal(ctx.standin.functionState('orders')!.aliases.canary, {
    FunctionVersion: '2',
    RevisionId: promoted.RevisionId,
  });

  await expectError(
    ctx.lambda.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'missing' })),
    'ResourceNotFoundException',
    404,
    `Cannot find alias arn: ${ARN}:missing`,
  );
  await expectError(
    ctx.lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'missing', FunctionVersion: '1' })),
    'ResourceNotFoundException',
    404,
    `Alias not found: ${ARN}:missing`,
  );
});

lambda('layer versions are numbered 1, 2, 3 per layer and listed newest first', async () => {
  const zips = [
    await zipOf({ 'python/a.py': 'A = 1\n' }),
    await zipOf({ 'python/a.py': 'A = 2\n' }),
    await zipOf({ 'python/a.py': 'A = 3\n' }),
  ];
  await upload('layers/deps-1.zip', zips[0]!);
  const first = await ctx.lambda.send(
    new PublishLayerVersionCommand({
      LayerName: 'orders-deps',
      Content: { S3Bucket: BUCKET, S3Key: 'layers/deps-1.zip' },
      Description: 'one',
      CompatibleRuntimes: ['python3.12'],
      CompatibleArchitectures: ['arm64'],
    }),
  );
  assert.is(first.Version, 1);
  assert.is(first.LayerArn, `${LAYER_ARN}:orders-deps`);
  assert.is(first.LayerVersionArn, `${LAYER_ARN}:orders-deps:1`);
  assert.is(first.Content!.CodeSha256, sha256(zips[0]!));
  assert.is(first.Content!.CodeSize, zips[0]!.length);
  assert.equal(first.CompatibleRuntimes, ['python3.12']);
  assert.equal(first.CompatibleArchitectures, ['arm64']);
  assert.is(await publishLayer('orders-deps', zips[1]!, 'two'), `${LAYER_ARN}:orders-deps:2`);
  assert.is(await publishLayer('orders-deps', zips[2]!, 'three'), `${LAYER_ARN}:orders-deps:3`);
  assert.is(await publishLayer('billing-deps', zips[0]!), `${LAYER_ARN}:billing-deps:1`);

  const all = await ctx.lambda.send(new ListLayerVersionsCommand({ LayerName: 'orders-deps' }));
  assert.equal(
    all.LayerVersions!.map((l) => [l.Version, l.Description]),
    [
      [3, 'three'],
      [2, 'two'],
      [1, 'one'],
    ],
  );
  const page1 = await ctx.lambda.send(new ListLayerVersionsCommand({ LayerName: 'orders-deps', MaxItems: 2 }));
  assert.equal(
    page1.LayerVersions!.map((l) => l.Version),
    [3, 2],
  );
  const page2 = await ctx.lambda.send(
    new ListLayerVersionsCommand({ LayerName: 'orders-deps', MaxItems: 2, Marker: page1.NextMarker }),
  );
  assert.equal(
    page2.LayerVersions!.map((l) => l.Version),
    [1],
  );
  assert.is(page2.NextMarker, undefined);
  const arm = await ctx.lambda.send(
    new ListLayerVersionsCommand({ LayerName: 'orders-deps', CompatibleArchitecture: 'arm64' }),
  );
  assert.equal(
    arm.LayerVersions!.map((l) => l.Version),
    [1],
  );
  assert.equal((await ctx.lambda.send(new ListLayerVersionsCommand({ LayerName: 'nothing' }))).LayerVersions, []);

  const two = await ctx.lambda.send(new GetLayerVersionCommand({ LayerName: 'orders-deps', VersionNumber: 2 }));
  assert.is(two.Description, 'two');
  assert.is(two.Content!.CodeSha256, sha256(zips[1]!));
  await expectError(
    ctx.lambda.send(new GetLayerVersionCommand({ LayerName: 'orders-deps', VersionNumber: 9 })),
    'ResourceNotFoundException',
    404,
  );
  assert.equal(
    ctx.standin.layerVersions('orders-deps').map((l) => l.Version),
    [1, 2, 3],
  );

  await seedOrders();
  const configured = await ctx.lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: [`${LAYER_ARN}:orders-deps:2`] }),
  );
  assert.equal(configured.Layers, [{ Arn: `${LAYER_ARN}:orders-deps:2`, CodeSize: zips[1]!.length }]);
});

lambda('at most 5 layers, only existing ones, and code plus layers unzipped within 262144000 bytes', async () => {
  await seedOrders();
  const small = await zipOf({ 'python/x.py': 'X = 1\n' });
  const arns: string[] = [];
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) arns.push(await publishLayer(name, small));
  await expectError(
    ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: arns })),
    'InvalidParameterValueException',
    400,
    'Cannot reference more than 5 layers.',
  );
  await expectError(
    ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: [`${LAYER_ARN}:a:7`] })),
    'InvalidParameterValueException',
    400,
    `Layer version ${LAYER_ARN}:a:7 does not exist.`,
  );
  await ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: arns.slice(0, 5) }));

  // 130 MB of zeros deflates to ~130 kB: two such layers fit beside small code, three do not.
  const big = await zipOf({ 'python/blob.bin': Buffer.alloc(130_000_000) });
  const bigArns = [
    await publishLayer('big-a', big),
    await publishLayer('big-b', big),
    await publishLayer('big-c', big),
  ];
  const codeBytes = APP.length;
  await ctx.lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: bigArns.slice(0, 2) }),
  );
  const limit = (actual: number) =>
    `Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is ${actual} bytes.`;
  await expectError(
    ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: bigArns })),
    'InvalidParameterValueException',
    400,
    limit(390_000_000 + codeBytes),
  );
  const before = ctx.standin.functionState('orders')!.latest;
  const bulky = await zipOf({ 'app.py': APP, 'data.bin': Buffer.alloc(3_000_000) });
  await expectError(
    ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: bulky })),
    'InvalidParameterValueException',
    400,
    limit(260_000_000 + codeBytes + 3_000_000),
  );
  const after = ctx.standin.functionState('orders')!.latest;
  assert.is(after.CodeSha256, before.CodeSha256);
  assert.is(after.RevisionId, before.RevisionId);
  assert.equal(
    after.Layers!.map((l) => l.Arn),
    bigArns.slice(0, 2),
  );
});

lambda('injected faults reach the SDK as Lambda sends them: throttle, server-error, conflict', async () => {
  await seedOrders();
  ctx.standin.inject('GetFunction', 'throttle', 2);
  const throttled = await expectError(
    ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' })),
    'TooManyRequestsException',
    429,
  );
  assert.is(throttled.retryAfterSeconds, '0');
  await expectError(
    ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' })),
    'TooManyRequestsException',
    429,
  );
  await ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' }));

  ctx.standin.inject('PublishVersion', 'server-error');
  await expectError(ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' })), 'ServiceException', 500);
  await expectError(ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' })), 'ServiceException', 500);

  ctx.standin.inject('UpdateAlias', 'conflict', 1);
  await expectError(
    ctx.lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '1' })),
    'ResourceConflictException',
    409,
    `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}`,
  );
  ctx.standin.clearFaults();
  await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
  assert.throws(() => ctx.standin.inject('GetFunctions', 'drop'), /unknown operation GetFunctions/);
  // With the SDK's default retries, one throttle is absorbed.
  ctx.standin.inject('GetFunction', 'throttle', 1);
  const retrying = new LambdaClient({ endpoint: ctx.standin.endpoint, region: REGION, credentials: CREDENTIALS });
  await retrying.send(new GetFunctionCommand({ FunctionName: 'orders' }));
  retrying.destroy();
});

lambda('drop closes the connection without applying; drop-after-apply applies, then closes', async () => {
  await seedOrders();
  ctx.standin.inject('UpdateFunctionConfiguration', 'drop', 1);
  const dropped = await failure(
    ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'dropped' })),
  );
  assert.is(dropped.$metadata?.httpStatusCode, undefined, 'no HTTP response reached the SDK');
  assert.is((dropped as SdkError & { code?: string }).code, 'ECONNRESET');
  assert.is(ctx.standin.functionState('orders')!.latest.Description, '');

  ctx.standin.inject('UpdateFunctionConfiguration', 'drop-after-apply', 1);
  const applied = await failure(
    ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'applied' })),
  );
  assert.is(applied.$metadata?.httpStatusCode, undefined);
  assert.is(ctx.standin.functionState('orders')!.latest.Description, 'applied');
  assert.equal(
    ctx.standin.log.map((e) => [e.operation, e.status]),
    [
      ['UpdateFunctionConfiguration', 0],
      ['UpdateFunctionConfiguration', 0],
    ],
  );
  const ok = await ctx.lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'again' }),
  );
  assert.is(ok.Description, 'again');
});

lambda('the log records every request with its operation, method, decoded path and status', async () => {
  await seedOrders();
  const t0 = Date.now();
  await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders', Qualifier: '$LATEST' }));
  await failure(ctx.lambda.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'nope' })));
  await ctx.lambda.send(new UpdateAliasCommand({ FunctionName: `${ARN}`, Name: 'live', Description: 'prod' }));
  ctx.standin.inject('PublishVersion', 'throttle', 1);
  await failure(ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' })));
  assert.equal(
    ctx.standin.log.map(({ operation, method, path, status }) => ({ operation, method, path, status })),
    [
      {
        operation: 'GetFunctionConfiguration',
        method: 'GET',
        path: '/2015-03-31/functions/orders/configuration?Qualifier=%24LATEST',
        status: 200,
      },
      { operation: 'GetAlias', method: 'GET', path: '/2015-03-31/functions/orders/aliases/nope', status: 404 },
      { operation: 'UpdateAlias', method: 'PUT', path: `/2015-03-31/functions/${ARN}/aliases/live`, status: 200 },
      { operation: 'PublishVersion', method: 'POST', path: '/2015-03-31/functions/orders/versions', status: 429 },
    ],
  );
  assert.ok(ctx.standin.log.every((e) => e.at >= t0 && e.at <= Date.now()));
  ctx.standin.clearLog();
  assert.equal(ctx.standin.log, []);
});

lambda('killAfter SIGKILLs the process after the N-th successful mutating request', async () => {
  await seedOrders();
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  try {
    ctx.standin.killAfter(child.pid!, 2);
    await ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' })); // reads do not count
    await ctx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'one' }));
    await failure(
      ctx.lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: Buffer.from('x'), RevisionId: 'stale' }),
      ),
    ); // failures do not count
    await sleep(50);
    assert.is(child.exitCode, null, 'still running after one mutating request');
    assert.is(child.signalCode, null);
    const published = await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    assert.is(published.Version, '2', 'the response was written before the kill');
    assert.is(await exited, 'SIGKILL');
  } finally {
    child.kill('SIGKILL');
  }
});

lambda('seedFunction and functionState work without HTTP', async () => {
  const zip = await zipOf({ 'app.py': APP });
  ctx.standin.seedFunction({
    name: 'orders',
    runtime: 'python3.12',
    handler: 'app.handler',
    zip,
    aliases: ['live', 'qa'],
  });
  const state = ctx.standin.functionState('orders')!;
  assert.is(state.latest.CodeSha256, sha256(zip));
  assert.is(state.latest.LastUpdateStatus, 'Successful');
  assert.equal(
    state.versions.map((v) => [v.Version, v.FunctionArn, v.CodeSha256]),
    [['1', `${ARN}:1`, sha256(zip)]],
  );
  assert.equal(Object.keys(state.aliases), ['live', 'qa']);
  assert.is(state.aliases.live!.FunctionVersion, '1');
  assert.is(state.aliases.live!.RoutingConfig, undefined);
  assert.is(ctx.standin.functionState('billing'), undefined);
  const live = await ctx.lambda.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'live' }));
  assert.is(live.RevisionId, state.aliases.live!.RevisionId);
  const byPartialArn = await ctx.lambda.send(
    new GetFunctionCommand({ FunctionName: '123456789012:function:orders', Qualifier: 'qa' }),
  );
  assert.is(byPartialArn.Configuration!.FunctionArn, `${ARN}:qa`);
  assert.is(byPartialArn.Configuration!.Version, '1');
});

lambda(
  'DeleteFunction with a Qualifier deletes that version alone; a version an alias or its routing weight holds is refused',
  async () => {
    await seedOrders(['live']);
    assert.is(await publishNewCode('2'), '2');
    assert.is(await publishNewCode('3'), '3');
    await ctx.lambda.send(
      new CreateAliasCommand({
        FunctionName: 'orders',
        Name: 'canary',
        FunctionVersion: '3',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
      }),
    );
    const held = (aliases: string) =>
      `Unable to delete version because the following aliases reference it: [${aliases}]`;
    const del = (Qualifier?: string, FunctionName = 'orders') =>
      ctx.lambda.send(new DeleteFunctionCommand({ FunctionName, Qualifier }));
    await expectError(del('1'), 'ResourceConflictException', 409, held('live'));
    await expectError(del('2'), 'ResourceConflictException', 409, held('canary'));
    await expectError(del(undefined, 'orders:3'), 'ResourceConflictException', 409, held('canary'));
    await ctx.lambda.send(new CreateAliasCommand({ FunctionName: 'orders', Name: 'beta', FunctionVersion: '3' }));
    await expectError(del('3'), 'ResourceConflictException', 409, held('beta, canary'));
    await expectError(
      del('$LATEST'),
      'InvalidParameterValueException',
      400,
      '$LATEST version cannot be deleted without deleting the function.',
    );
    await expectError(
      del('live'),
      'InvalidParameterValueException',
      400,
      'Deletion of aliases is not currently supported.',
    );
    await expectError(
      del('1', 'billing'),
      'ResourceNotFoundException',
      404,
      `Function not found: ${ARN.replace('orders', 'billing')}:1`,
    );

    await ctx.lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '3' }));
    const deleted = await del('1');
    assert.is(deleted.StatusCode, 204);
    assert.is((await del('99')).StatusCode, 204, 'a version that does not exist is no error');
    const versions = await ctx.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'orders' }));
    assert.equal(
      versions.Versions!.map((v) => v.Version),
      ['$LATEST', '2', '3'],
    );
    await expectError(
      ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders', Qualifier: '1' })),
      'ResourceNotFoundException',
      404,
    );

    // Numbers are never reused: with version 3 gone, the next one is 4.
    await ctx.lambda.send(
      new UpdateAliasCommand({
        FunctionName: 'orders',
        Name: 'canary',
        FunctionVersion: '2',
        RoutingConfig: { AdditionalVersionWeights: {} },
      }),
    );
    await ctx.lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'live', FunctionVersion: '2' }));
    await ctx.lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'beta', FunctionVersion: '2' }));
    await del('3');
    assert.is(await publishNewCode('4'), '4');

    const whole = await del();
    assert.is(whole.StatusCode, 204);
    await expectError(
      ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' })),
      'ResourceNotFoundException',
      404,
    );
    await expectError(
      ctx.lambda.send(new ListAliasesCommand({ FunctionName: 'orders' })),
      'ResourceNotFoundException',
      404,
    );
    await expectError(del(), 'ResourceNotFoundException', 404, `Function not found: ${ARN}`);
  },
);

lambda('ListAliases pages by MaxItems (1..10000) and filters by FunctionVersion', async () => {
  await seedOrders(['a-live', 'b-qa']);
  assert.is(await publishNewCode('2'), '2');
  for (const name of ['c-dev', 'd-canary', 'e-head']) {
    await ctx.lambda.send(
      new CreateAliasCommand({
        FunctionName: 'orders',
        Name: name,
        FunctionVersion: name === 'e-head' ? '$LATEST' : '2',
      }),
    );
  }
  const all = await ctx.lambda.send(new ListAliasesCommand({ FunctionName: 'orders' }));
  assert.equal(
    all.Aliases!.map((a) => [a.Name, a.FunctionVersion]),
    [
      ['a-live', '1'],
      ['b-qa', '1'],
      ['c-dev', '2'],
      ['d-canary', '2'],
      ['e-head', '$LATEST'],
    ],
  );
  assert.is(all.Aliases![0]!.AliasArn, `${ARN}:a-live`);
  assert.is(all.NextMarker, undefined);
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await ctx.lambda.send(new ListAliasesCommand({ FunctionName: 'orders', MaxItems: 2, Marker: marker }));
    assert.ok(page.Aliases!.length <= 2);
    names.push(...page.Aliases!.map((a) => a.Name!));
    marker = page.NextMarker;
  } while (marker);
  assert.equal(names, ['a-live', 'b-qa', 'c-dev', 'd-canary', 'e-head']);
  const onTwo = await ctx.lambda.send(new ListAliasesCommand({ FunctionName: 'orders', FunctionVersion: '2' }));
  assert.equal(
    onTwo.Aliases!.map((a) => a.Name),
    ['c-dev', 'd-canary'],
  );
  await expectError(
    ctx.lambda.send(new ListAliasesCommand({ FunctionName: 'orders', MaxItems: 10_001 })),
    'ValidationException',
    400,
    /Member must have value less than or equal to 10000/,
  );
  await expectError(
    ctx.lambda.send(new ListAliasesCommand({ FunctionName: 'orders', MaxItems: 0 })),
    'ValidationException',
    400,
    /greater than or equal to 1/,
  );
  const manyVersions = await ctx.lambda.send(
    new ListVersionsByFunctionCommand({ FunctionName: 'orders', MaxItems: 10_000 }),
  );
  assert.is(manyVersions.Versions!.length, 3);
});

lambda(
  'DeleteLayerVersion is idempotent; deleted versions leave GetLayerVersion, ListLayerVersions and ListLayers but stay with their functions',
  async () => {
    const zip = (n: number) => zipOf({ 'python/x.py': `X = ${n}\n` });
    await publishLayer('deps', await zip(1));
    await publishLayer('deps', await zip(2));
    const other = await ctx.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: 'tools',
        Content: { ZipFile: await zip(3) },
        CompatibleRuntimes: ['nodejs20.x'],
        CompatibleArchitectures: ['arm64'],
      }),
    );
    const layers = await ctx.lambda.send(new ListLayersCommand({}));
    assert.equal(
      layers.Layers!.map((l) => [l.LayerName, l.LayerArn, l.LatestMatchingVersion!.Version]),
      [
        ['deps', `${LAYER_ARN}:deps`, 2],
        ['tools', `${LAYER_ARN}:tools`, 1],
      ],
    );
    assert.is(layers.Layers![1]!.LatestMatchingVersion!.LayerVersionArn, other.LayerVersionArn);
    assert.equal(
      (await ctx.lambda.send(new ListLayersCommand({ CompatibleRuntime: 'nodejs20.x' }))).Layers!.map(
        (l) => l.LayerName,
      ),
      ['tools'],
    );
    const first = await ctx.lambda.send(new ListLayersCommand({ MaxItems: 1 }));
    assert.equal(
      first.Layers!.map((l) => l.LayerName),
      ['deps'],
    );
    assert.equal(
      (await ctx.lambda.send(new ListLayersCommand({ Marker: first.NextMarker }))).Layers!.map((l) => l.LayerName),
      ['tools'],
    );
    await expectError(
      ctx.lambda.send(new ListLayersCommand({ MaxItems: 51 })),
      'ValidationException',
      400,
      /less than or equal to 50/,
    );
    await expectError(
      ctx.lambda.send(new ListLayerVersionsCommand({ LayerName: 'deps', MaxItems: 51 })),
      'ValidationException',
      400,
    );

    await seedOrders();
    await ctx.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: [`${LAYER_ARN}:deps:2`] }),
    );
    for (let i = 0; i < 2; i++) {
      const out = await ctx.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'deps', VersionNumber: 2 }));
      assert.is(out.$metadata.httpStatusCode, 204);
    }
    await ctx.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'nothing', VersionNumber: 7 }));
    await expectError(
      ctx.lambda.send(new GetLayerVersionCommand({ LayerName: 'deps', VersionNumber: 2 })),
      'ResourceNotFoundException',
      404,
    );
    assert.equal(
      (await ctx.lambda.send(new ListLayerVersionsCommand({ LayerName: 'deps' }))).LayerVersions!.map((l) => l.Version),
      [1],
    );
    assert.equal(
      (await ctx.lambda.send(new ListLayersCommand({}))).Layers!.map((l) => [
        l.LayerName,
        l.LatestMatchingVersion!.Version,
      ]),
      [
        ['deps', 1],
        ['tools', 1],
      ],
    );
    // The function keeps its copy; new references are refused; numbers are not reused.
    const config = await ctx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' }));
    assert.equal(
      config.Layers!.map((l) => l.Arn),
      [`${LAYER_ARN}:deps:2`],
    );
    await ctx.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'layers untouched' }),
    );
    await expectError(
      ctx.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Layers: [`${LAYER_ARN}:deps:2`] }),
      ),
      'InvalidParameterValueException',
      400,
      `Layer version ${LAYER_ARN}:deps:2 does not exist.`,
    );
    assert.is(await publishLayer('deps', await zip(4)), `${LAYER_ARN}:deps:3`);
  },
);

lambda(
  'GetAccountSettings: limits, and usage counting $LATEST, every published version and every layer version',
  async () => {
    const settings = () => ctx.lambda.send(new GetAccountSettingsCommand({}));
    const empty = await settings();
    assert.equal(empty.AccountLimit, {
      TotalCodeSize: 80_530_636_800,
      CodeSizeUnzipped: 262_144_000,
      CodeSizeZipped: 52_428_800,
      ConcurrentExecutions: 1000,
      UnreservedConcurrentExecutions: 1000,
    });
    assert.equal(empty.AccountUsage, { TotalCodeSize: 0, FunctionCount: 0 });

    const one = await zipOf({ 'app.py': APP });
    await ctx.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'orders',
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Role: ROLE,
        Code: { ZipFile: one },
      }),
    );
    const usage = async () => (await settings()).AccountUsage!;
    assert.equal(await usage(), { TotalCodeSize: one.length, FunctionCount: 1 });
    await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    assert.is((await usage()).TotalCodeSize, 2 * one.length, 'the published version is a copy');
    await ctx.lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    assert.is((await usage()).TotalCodeSize, 2 * one.length, 'nothing changed, nothing published');
    const layer = await zipOf({ 'python/lib.py': 'L = 1\n' });
    await publishLayer('deps', layer);
    const two = await zipOf({ 'app.py': `${APP}# two\n`, 'more.py': 'M = 2\n' });
    await ctx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: two, Publish: true }));
    assert.equal(await usage(), { TotalCodeSize: one.length + 2 * two.length + layer.length, FunctionCount: 1 });
    await ctx.lambda.send(new DeleteFunctionCommand({ FunctionName: 'orders', Qualifier: '1' }));
    assert.is((await usage()).TotalCodeSize, 2 * two.length + layer.length);
    await ctx.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'deps', VersionNumber: 1 }));
    assert.is((await usage()).TotalCodeSize, 2 * two.length);
    await ctx.lambda.send(new DeleteFunctionCommand({ FunctionName: 'orders' }));
    assert.equal(await usage(), { TotalCodeSize: 0, FunctionCount: 0 });
  },
);

lambda('a small totalCodeSize is reached: CodeStorageExceededException until versions are deleted', async () => {
  const zip = await zipOf({ 'app.py': APP });
  const other = await zipOf({ 'app.py': `${APP}# 2\n` });
  const limit = zip.length + 2 * other.length + 10;
  await withStandin({ totalCodeSize: limit }, async (client, standin) => {
    standin.seedFunction({ name: 'orders', runtime: 'python3.12', handler: 'app.handler', zip }); // $LATEST and version 1
    assert.is((await client.send(new GetAccountSettingsCommand({}))).AccountLimit!.TotalCodeSize, limit);
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: other }));
    await client.send(new PublishVersionCommand({ FunctionName: 'orders' })); // 3 zips stored
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'orders', Description: 'd' }));
    const err = await expectError(
      client.send(new PublishVersionCommand({ FunctionName: 'orders' })),
      'CodeStorageExceededException',
      400,
      'Code storage limit exceeded.',
    );
    assert.ok(err instanceof CodeStorageExceededException);
    await expectError(
      client.send(new PublishLayerVersionCommand({ LayerName: 'deps', Content: { ZipFile: zip } })),
      'CodeStorageExceededException',
      400,
    );
    await expectError(
      client.send(
        new CreateFunctionCommand({
          FunctionName: 'billing',
          Runtime: 'python3.12',
          Handler: 'app.handler',
          Role: ROLE,
          Code: { ZipFile: zip },
        }),
      ),
      'CodeStorageExceededException',
      400,
    );
    await client.send(new DeleteFunctionCommand({ FunctionName: 'orders', Qualifier: '1' }));
    assert.is((await client.send(new PublishVersionCommand({ FunctionName: 'orders' }))).Version, '3');
  });
});

lambda('TagResource, ListTags and UntagResource on the function ARN; GetFunction shows the tags', async () => {
  const zip = await zipOf({ 'app.py': APP });
  await ctx.lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'orders',
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Role: ROLE,
      Code: { ZipFile: zip },
      Tags: { team: 'payments' },
    }),
  );
  await ctx.lambda.send(new TagResourceCommand({ Resource: ARN, Tags: { stage: 'qa', owner: 'lci' } }));
  assert.equal((await ctx.lambda.send(new ListTagsCommand({ Resource: ARN }))).Tags, {
    team: 'payments',
    stage: 'qa',
    owner: 'lci',
  });
  await ctx.lambda.send(new UntagResourceCommand({ Resource: ARN, TagKeys: ['owner', 'team'] }));
  assert.equal((await ctx.lambda.send(new GetFunctionCommand({ FunctionName: 'orders' }))).Tags, { stage: 'qa' });
  await expectError(
    ctx.lambda.send(new ListTagsCommand({ Resource: `${ARN}:1` })),
    'InvalidParameterValueException',
    400,
  );
  await expectError(
    ctx.lambda.send(new ListTagsCommand({ Resource: ARN.replace('orders', 'billing') })),
    'ResourceNotFoundException',
    404,
  );
});

lambda(
  'ListFunctions: name order, 50 a page whatever MaxItems says, Marker, FunctionVersion=ALL; seeded aws: tags',
  async () => {
    const zip = await zipOf({ 'app.py': APP });
    const names = Array.from({ length: 120 }, (_, i) => `fn-${String(i).padStart(3, '0')}`);
    for (const name of [...names].reverse())
      ctx.standin.seedFunction({
        name,
        runtime: 'python3.12',
        handler: 'app.handler',
        zip,
        tags: { 'aws:cloudformation:logical-id': `Fn${name.slice(3)}` },
      });
    const seen: string[] = [];
    const pages: number[] = [];
    let marker: string | undefined;
    do {
      const r = await ctx.lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 10_000 }));
      pages.push(r.Functions!.length);
      seen.push(...r.Functions!.map((f) => f.FunctionName!));
      assert.is(r.Functions![0]!.Version, '$LATEST');
      assert.is(r.Functions![0]!.State, undefined, 'State is only in GetFunction');
      marker = r.NextMarker;
    } while (marker);
    assert.equal(pages, [50, 50, 20]);
    assert.equal(seen, names);
    const small = await ctx.lambda.send(new ListFunctionsCommand({ MaxItems: 7 }));
    assert.is(small.Functions!.length, 7);
    assert.ok(small.NextMarker);
    const all = await ctx.lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 4 }));
    assert.equal(
      all.Functions!.map((f) => `${f.FunctionName}:${f.Version}`),
      ['fn-000:$LATEST', 'fn-000:1', 'fn-001:$LATEST', 'fn-001:1'],
    );
    await expectError(ctx.lambda.send(new ListFunctionsCommand({ MaxItems: 0 })), 'ValidationException', 400);
    await expectError(ctx.lambda.send(new ListFunctionsCommand({ MaxItems: 10_001 })), 'ValidationException', 400);
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:fn-007';
    assert.equal((await ctx.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, {
      'aws:cloudformation:logical-id': 'Fn007',
    });
  },
);

lambda(
  'Invoke without running anything: DryRun, the qualifier, the payload limits, non-JSON, and a function still Pending',
  async () => {
    await seedOrders(['live']);
    const invoke = (input: Partial<ConstructorParameters<typeof InvokeCommand>[0]>) =>
      ctx.lambda.send(new InvokeCommand({ FunctionName: 'orders', ...input }));
    const dry = await invoke({ InvocationType: 'DryRun', Qualifier: 'live', Payload: Buffer.from('{"a":1}') });
    assert.is(dry.StatusCode, 204);
    assert.is(dry.ExecutedVersion, undefined);
    await expectError(
      invoke({ InvocationType: 'DryRun', Qualifier: '9' }),
      'ResourceNotFoundException',
      404,
      `Function not found: ${ARN}:9`,
    );
    await expectError(
      invoke({ InvocationType: 'DryRun', Qualifier: 'nope' }),
      'ResourceNotFoundException',
      404,
      `Function not found: ${ARN}:nope`,
    );
    await expectError(
      invoke({ FunctionName: `${ARN}:live`, Qualifier: '1', InvocationType: 'DryRun' }),
      'InvalidParameterValueException',
      400,
    );
    await expectError(
      ctx.lambda.send(new InvokeCommand({ FunctionName: 'billing' })),
      'ResourceNotFoundException',
      404,
      `Function not found: ${ARN.replace('orders', 'billing')}`,
    );
    // The real service answers RequestEntityTooLargeException, which the SDK does not model.
    await expectError(
      invoke({ Payload: Buffer.from(JSON.stringify('x'.repeat(6_291_457))) }),
      'RequestEntityTooLargeException',
      413,
      'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    );
    const event = Buffer.from(JSON.stringify('x'.repeat(1_048_600)));
    await expectError(
      invoke({ InvocationType: 'Event', Payload: event }),
      'RequestEntityTooLargeException',
      413,
      `${event.length} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
    );
    await expectError(
      invoke({ InvocationType: 'DryRun', Payload: Buffer.from('not json') }),
      'InvalidRequestContentException',
      400,
      /^Could not parse request body into json: Could not parse payload into json: /,
    );
    await expectError(
      invoke({ InvocationType: 'DryRun', ClientContext: 'bm90IGpzb24=' }),
      'InvalidRequestContentException',
      400,
    );

    ctx.standin.updateDelayMs = 60_000;
    await ctx.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'billing',
        Runtime: 'python3.12',
        Handler: 'app.handler',
        Role: ROLE,
        Code: { ZipFile: await zipOf({ 'app.py': APP }) },
      }),
    );
    await expectError(
      ctx.lambda.send(new InvokeCommand({ FunctionName: 'billing' })),
      'ResourceConflictException',
      409,
      'The operation cannot be performed at this time. The function is currently in the following state: Pending',
    );
  },
);

lambda.run();

// --- Quotas

const quotas = suite('lambda stand-in quotas');

quotas.before(async () => {
  ctx.s3server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: tempDir(),
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await ctx.s3server.run();
  ctx.s3Endpoint = `http://127.0.0.1:${port}`;
});

quotas.after(async () => {
  await ctx.s3server.close();
});

quotas('unthrottled by default: 60 concurrent GetAlias all succeed', async () => {
  await withStandin({}, async (client, standin) => {
    standin.seedFunction({
      name: 'orders',
      runtime: 'python3.12',
      handler: 'app.handler',
      zip: await zipOf({ 'app.py': APP }),
      aliases: ['live'],
    });
    const all = await Promise.allSettled(
      Array.from({ length: 60 }, () => client.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'live' }))),
    );
    assert.ok(all.every((r) => r.status === 'fulfilled'));
    assert.is(standin.throttleCount(), 0);
  });
});

quotas(
  'the control-plane bucket throttles with TooManyRequestsException; GetFunction, GetPolicy and Invoke are not in it',
  async () => {
    // 1 request/s with a burst of 5: however slowly the 12 requests arrive (under a second), 5 or 6 pass.
    await withStandin(
      { rates: { getFunction: 100, getPolicy: 15, controlPlane: 1, burst: { controlPlane: 5 } } },
      async (client, standin) => {
        standin.seedFunction({
          name: 'orders',
          runtime: 'python3.12',
          handler: 'app.handler',
          zip: await zipOf({ 'app.py': APP }),
          aliases: ['live'],
        });
        const aliases = await Promise.allSettled(
          Array.from({ length: 12 }, () => client.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'live' }))),
        );
        const ok = aliases.filter((r) => r.status === 'fulfilled').length;
        const refused = aliases.flatMap((r) => (r.status === 'rejected' ? [r.reason as SdkError] : []));
        assert.ok(ok >= 5 && ok <= 6, `a burst of 5 passes (passed ${ok})`);
        for (const err of refused) {
          assert.ok(err instanceof TooManyRequestsException);
          assert.is(err.$metadata?.httpStatusCode, 429);
          assert.is(err.message, 'Rate exceeded');
          assert.is(err.Reason, 'CallerRateLimitExceeded');
          assert.is(err.Type, 'User');
          assert.is(err.retryAfterSeconds, '1', 'from the Retry-After header');
        }
        // Its own buckets: GetFunction and GetPolicy still answer while the control plane is exhausted; Invoke has none.
        const functions = await Promise.all(
          Array.from({ length: 20 }, () => client.send(new GetFunctionCommand({ FunctionName: 'orders' }))),
        );
        assert.is(functions.length, 20);
        await expectError(
          client.send(new GetPolicyCommand({ FunctionName: 'orders' })),
          'ResourceNotFoundException',
          404,
          'The resource you requested does not exist.',
        );
        const dry = await client.send(new InvokeCommand({ FunctionName: 'orders', InvocationType: 'DryRun' }));
        assert.is(dry.StatusCode, 204);
        await expectError(
          client.send(new ListAliasesCommand({ FunctionName: 'orders' })),
          'TooManyRequestsException',
          429,
        );
        const throttled = standin.log.filter((e) => e.status === 429);
        assert.is(standin.throttleCount(), refused.length + 1);
        assert.is(throttled.length, standin.throttleCount());
        assert.ok(throttled.every((e) => e.operation === 'GetAlias' || e.operation === 'ListAliases'));
      },
    );
  },
);

quotas('GetFunction has its own bucket and throttles past its own rate', async () => {
  await withStandin(
    { rates: { getFunction: 1, getPolicy: 15, controlPlane: 15, burst: { getFunction: 4 } } },
    async (client, standin) => {
      standin.seedFunction({
        name: 'orders',
        runtime: 'python3.12',
        handler: 'app.handler',
        zip: await zipOf({ 'app.py': APP }),
      });
      const all = await Promise.allSettled(
        Array.from({ length: 8 }, () => client.send(new GetFunctionCommand({ FunctionName: 'orders' }))),
      );
      assert.ok(all.filter((r) => r.status === 'rejected').length >= 3);
      await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'orders' })); // a control-plane request
    },
  );
});

quotas(
  "with the SDK's default retries (3 attempts, honouring Retry-After) every throttled call succeeds in the end",
  async () => {
    await withStandin({ rates: { getFunction: 100, getPolicy: 15, controlPlane: 5 } }, async (_client, standin) => {
      standin.seedFunction({
        name: 'orders',
        runtime: 'python3.12',
        handler: 'app.handler',
        zip: await zipOf({ 'app.py': APP }),
        aliases: ['live'],
      });
      const retrying = new LambdaClient({ endpoint: standin.endpoint, region: REGION, credentials: CREDENTIALS });
      try {
        const t0 = Date.now();
        const all = await Promise.all(
          Array.from({ length: 12 }, () =>
            retrying.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'live' })),
          ),
        );
        assert.ok(all.every((a) => a.FunctionVersion === '1'));
        assert.ok(standin.throttleCount() >= 5, `throttled ${standin.throttleCount()} times`);
        assert.ok(Date.now() - t0 >= 1000, 'the retries waited for Retry-After');
      } finally {
        retrying.destroy();
      }
    });
  },
);

quotas('a burst larger than the rate lets that many through at once', async () => {
  await withStandin(
    { rates: { getFunction: 100, getPolicy: 15, controlPlane: 0.1, burst: { controlPlane: 10 } } },
    async (client, standin) => {
      standin.seedFunction({
        name: 'orders',
        runtime: 'python3.12',
        handler: 'app.handler',
        zip: await zipOf({ 'app.py': APP }),
        aliases: ['live'],
      });
      const all = await Promise.allSettled(
        Array.from({ length: 12 }, () => client.send(new GetAliasCommand({ FunctionName: 'orders', Name: 'live' }))),
      );
      assert.is(all.filter((r) => r.status === 'fulfilled').length, 10);
    },
  );
});

quotas.run();

/** A stand-in with its own options and a client without retries, closed afterwards. */
async function withStandin(
  opts: Omit<LambdaStandinOptions, 's3Endpoint'>,
  body: (client: LambdaClient, standin: LambdaStandin) => Promise<void>,
): Promise<void> {
  const standin = await LambdaStandin.start({ s3Endpoint: ctx.s3Endpoint, ...opts });
  const client = lambdaClient(standin.endpoint);
  try {
    await body(client, standin);
  } finally {
    client.destroy();
    await standin.close();
  }
}

// --- CloudWatch

const cloudwatch = suite('cloudwatch stand-in');

cloudwatch('DescribeAlarms through the real SDK honours AlarmNames and reports states', async () => {
  const standin = await CloudWatchStandin.start();
  const client = new CloudWatchClient({
    endpoint: standin.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  try {
    standin.setAlarm('orders-errors', 'ALARM');
    standin.setAlarm('orders-latency', 'OK');
    const t0 = Date.now();
    const named = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['orders-errors', 'missing'] }));
    assert.is(named.MetricAlarms!.length, 1);
    const alarm = named.MetricAlarms![0]!;
    assert.is(alarm.AlarmName, 'orders-errors');
    assert.is(alarm.AlarmArn, 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-errors');
    assert.is(alarm.StateValue, 'ALARM');
    assert.type(alarm.StateReason, 'string');
    assert.ok(alarm.StateUpdatedTimestamp instanceof Date);
    assert.ok(Math.abs(alarm.StateUpdatedTimestamp.getTime() - t0) < 5_000);

    const all = await client.send(new DescribeAlarmsCommand({}));
    assert.equal(
      all.MetricAlarms!.map((a) => [a.AlarmName, a.StateValue]),
      [
        ['orders-errors', 'ALARM'],
        ['orders-latency', 'OK'],
      ],
    );
    await sleep(20);
    standin.setAlarm('orders-errors', 'OK');
    const recovered = await client.send(new DescribeAlarmsCommand({ AlarmNames: ['orders-errors'], StateValue: 'OK' }));
    assert.is(recovered.MetricAlarms![0]!.StateValue, 'OK');
    assert.ok(recovered.MetricAlarms![0]!.StateUpdatedTimestamp!.getTime() > alarm.StateUpdatedTimestamp.getTime());
    assert.equal(
      standin.log.map((e) => [e.operation, e.method, e.status]),
      [
        ['DescribeAlarms', 'POST', 200],
        ['DescribeAlarms', 'POST', 200],
        ['DescribeAlarms', 'POST', 200],
      ],
    );
  } finally {
    client.destroy();
    await standin.close();
  }
});

cloudwatch.run();
