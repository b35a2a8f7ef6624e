import { createHash } from 'node:crypto';
import { LambdaClient, ListLayerVersionsCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_TIMING } from '../src/aws/lambda.js';
import { layerDescription } from '../src/aws/version-record.js';
import { DeployError, PlanStaleError } from '../src/errors.js';
import type { FunctionPlan, SharedLayerPlan } from '../src/release/plan.js';
import { LayerPublisher } from '../src/release/publish-layers.js';
import { AwsWorld } from './harness/aws-world.js';
import { CREDENTIALS } from './harness/s3.js';

// One layer version per content key, whatever publishes at the same time: the real SDK against the
// Lambda stand-in and s3rver. "The other racer" is a PublishLayerVersion this test makes itself.

const layers = suite('release: one layer version per content key');

const KEY = 'c'.repeat(32);
const ZIP = Buffer.from(`PK\x05\x06${'\0'.repeat(18)}`, 'binary');
const SHA = createHash('sha256').update(ZIP).digest('base64');

async function setup(world: AwsWorld) {
  await world.s3.client.send(new PutObjectCommand({ Bucket: 'acme-artifacts', Key: 'layer.zip', Body: ZIP }));
  const lambda = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
  const racer = async (layerName: string) =>
    Number(
      (
        await lambda.send(
          new PublishLayerVersionCommand({
            LayerName: layerName,
            Description: layerDescription(KEY, 'the-other-run'),
            Content: { S3Bucket: 'acme-artifacts', S3Key: 'layer.zip' },
          }),
        )
      ).Version,
    );
  const versions = async (layerName: string) =>
    ((await lambda.send(new ListLayerVersionsCommand({ LayerName: layerName }))).LayerVersions ?? []).map(
      (v) => v.Version,
    );
  const publisher = (saved = false) =>
    new LayerPublisher(lambda, {
      bucket: 'acme-artifacts',
      sourceVersion: 'abc',
      timing: DEFAULT_TIMING,
      saved,
      codeStorage: 'copy',
      report: () => {},
    });
  return { lambda, racer, versions, publisher };
}

const ownPlan = (layerName: string, codeSha256 = SHA) =>
  ({
    awsName: 'fn',
    deps: {
      action: 'publish',
      layerName,
      key: KEY,
      version: null,
      artifact: { key: 'layer.zip', codeSha256, bytes: ZIP.length },
      runtime: 'python3.12',
      architecture: 'x86_64',
    },
  }) as unknown as FunctionPlan;

layers('a run that published second uses the first version with the key and deletes its own', async () => {
  await AwsWorld.with(async (world) => {
    const { racer, versions, publisher } = await setup(world);
    const first = await racer('fn-deps');
    const got = await publisher().own(ownPlan('fn-deps'));
    assert.is(got.version, first);
    assert.equal(await versions('fn-deps'), [first], 'the duplicate is gone');
    assert.ok(
      world.lambda.log.some((l) => l.operation === 'DeleteLayerVersion'),
      'it did publish (the race happened) and deleted its own',
    );
  });
});

layers('within one run a key is published once, however many functions ask', async () => {
  await AwsWorld.with(async (world) => {
    const { versions, publisher } = await setup(world);
    const p = publisher();
    const got = await Promise.all([p.own(ownPlan('fn-deps')), p.own(ownPlan('fn-deps')), p.own(ownPlan('fn-deps'))]);
    assert.equal(new Set(got.map((g) => g.arn)).size, 1);
    assert.equal(await versions('fn-deps'), [1]);
    assert.is(world.lambda.log.filter((l) => l.operation === 'PublishLayerVersion').length, 1);
  });
});

layers('a shared layer another shard published is found, not published again', async () => {
  await AwsWorld.with(async (world) => {
    const { racer, versions, publisher } = await setup(world);
    const first = await racer('common-qa');
    const plan: SharedLayerPlan = {
      name: 'common',
      awsName: 'common-qa',
      key: KEY,
      action: 'PUBLISH',
      version: null,
      artifact: { key: 'layer.zip', codeSha256: SHA, bytes: ZIP.length, s3ObjectVersion: null },
      runtimes: ['python3.12'],
      architectures: ['x86_64'],
      functions: ['a', 'b'],
    };
    world.lambda.clearLog();
    const got = await publisher(true).shared(plan, 'a');
    assert.is(got.version, first);
    assert.equal(await versions('common-qa'), [first]);
    assert.not.ok(world.lambda.log.some((l) => l.operation === 'PublishLayerVersion'));
  });
});

layers(
  'a layer zip that is not the one planned: the version made from it is deleted, and the plan refused',
  async () => {
    await AwsWorld.with(async (world) => {
      const { versions, publisher } = await setup(world);
      const other = createHash('sha256').update('other bytes').digest('base64');
      const saved = await publisher(true)
        .own(ownPlan('fn-deps', other))
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(saved instanceof PlanStaleError, String(saved));
      assert.match((saved as Error).message, /not .* as planned .*plan again/);
      assert.equal(await versions('fn-deps'), []);
      const inRun = await publisher(false)
        .own(ownPlan('fn-deps', other))
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(inRun instanceof DeployError);
    });
  },
);

layers.run();
