import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  LambdaClient,
  PublishLayerVersionCommand,
  UpdateAliasCommand,
  CreateAliasCommand,
} from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import type { GitRepo } from './harness/git-repo.js';
import { CREDENTIALS } from './harness/s3.js';

// lci prune and status's storage line against the Lambda stand-in and a real S3 server.

interface PruneJson {
  dryRun: boolean;
  functions: {
    awsName: string;
    status: string;
    versions: { version: string; action: string; reason?: string; alias?: string }[];
    layerVersions: { layer: string; version: number; action: string }[];
    s3: string[];
  }[];
  storage: { before: { used: number; limit: number }; after: { used: number; limit: number } | null };
}

const EMPTY_ZIP = new Uint8Array(Buffer.from(`PK\x05\x06${'\0'.repeat(18)}`, 'binary'));
const KEY = (c: string) => c.repeat(32);

async function run(world: AwsWorld, repo: GitRepo, args: string[]) {
  const r = await lciAsync([...args, '--json'], { cwd: repo.dir, env: world.env() });
  return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : null };
}

/** beta released five times by lci (versions 2 to 6; version 1 is what Terraform made), one commit each. */
async function fiveReleases(world: AwsWorld): Promise<{ repo: GitRepo; sources: Record<string, string> }> {
  await seedFunctions(world, QA_FUNCTIONS);
  const repo = await deployRepo();
  const sources: Record<string, string> = {};
  for (let i = 2; i <= 6; i++) {
    if (i > 2) repo.commit({ 'svc/beta/app.py': `def handler(event, context):\n    return ${i}\n` });
    const r = await run(world, repo, ['deploy', '--env', 'qa']);
    assert.is(r.code, 0, r.stderr);
    assert.is((r.json as DeployJson).functions.find((f) => f.name === 'beta')!.version, String(i));
    sources[String(i)] = repo.head();
  }
  return { repo, sources };
}

const versionsOf = (world: AwsWorld, fn: string) => world.lambda.functionState(fn)!.versions.map((v) => v.Version!);
const verdicts = (json: PruneJson, fn: string) =>
  Object.fromEntries(
    json.functions
      .find((f) => f.awsName === fn)!
      .versions.map((v) => [v.version, v.reason ? `${v.action} ${v.reason}` : v.action]),
  );

const prune = suite('prune');

prune(
  'deletes what lci published outside the rollback window; never a version an alias or its routing weights reference; dry run without --yes',
  async () => {
    await AwsWorld.with(async (world) => {
      const { repo, sources } = await fiveReleases(world);
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
      // A shift stopped halfway (qa serves 6, 10% still on 3), and an alias someone else made on 2.
      await sdk.send(
        new UpdateAliasCommand({
          FunctionName: 'beta',
          Name: 'qa',
          FunctionVersion: '6',
          RoutingConfig: { AdditionalVersionWeights: { 3: 0.1 } },
        }),
      );
      await sdk.send(new CreateAliasCommand({ FunctionName: 'beta', Name: 'pinned', FunctionVersion: '2' }));
      // Three layer versions lci published for beta (none in use), one someone else published, and their layer caches in S3.
      for (const c of ['a', 'b', 'c'])
        await sdk.send(
          new PublishLayerVersionCommand({
            LayerName: 'beta-deps',
            Description: `lci deps ${KEY(c)} from x`,
            Content: { ZipFile: EMPTY_ZIP },
          }),
        );
      await sdk.send(
        new PublishLayerVersionCommand({
          LayerName: 'beta-deps',
          Description: 'by hand',
          Content: { ZipFile: EMPTY_ZIP },
        }),
      );
      for (const c of ['a', 'b', 'c'])
        await world.s3.client.send(
          new PutObjectCommand({
            Bucket: world.s3.bucket,
            Key: `lambda-ci/_lci/deps/qa/beta/${KEY(c)}.zip`,
            Body: 'zip',
          }),
        );

      const dry = await run(world, repo, ['prune', '--env', 'qa', '--keep', '1']);
      assert.is(dry.code, 0, dry.stderr);
      assert.ok((dry.json as PruneJson).dryRun);
      assert.equal(versionsOf(world, 'beta'), ['1', '2', '3', '4', '5', '6'], 'without --yes nothing is deleted');
      const text = await lciAsync(['prune', '--env', 'qa', '--keep', '1'], { cwd: repo.dir, env: world.env() });
      assert.match(
        text.stdout,
        /^dry run: 2 versions and 2 layer versions would be deleted; nothing was \(pass --yes to delete\)/,
      );
      assert.match(
        text.stdout,
        /\nbeta +beta +PLANNED +4, 5 +1 not lci, 2 served, 1 routed +beta-deps:1, beta-deps:2 +4 objects +\d+ B\n/,
      );

      const r = await run(world, repo, ['prune', '--env', 'qa', '--keep', '1', '--yes']);
      assert.is(r.code, 0, r.stderr);
      const json = r.json as PruneJson;
      assert.equal(verdicts(json, 'beta'), {
        1: 'KEEP not-lci',
        2: 'KEEP alias',
        3: 'KEEP routing',
        4: 'DELETED',
        5: 'DELETED',
        6: 'KEEP alias',
      });
      assert.equal(versionsOf(world, 'beta'), ['1', '2', '3', '6']);
      assert.equal(
        world.lambda.layerVersions('beta-deps').map((l) => l.Version),
        [3, 4],
        'the newest lci layer version and the one lci did not publish stay',
      );
      const keys = await world.s3.keys('lambda-ci/');
      for (const v of ['4', '5'])
        assert.not.ok(keys.includes(`lambda-ci/beta/${sources[v]}/app.zip`), `the zip of version ${v} is gone`);
      for (const v of ['3', '6'])
        assert.ok(keys.includes(`lambda-ci/beta/${sources[v]}/app.zip`), `the zip of version ${v} stays`);
      assert.ok(keys.includes('lambda-ci/beta/latest/app.zip'));
      assert.equal(
        keys.filter((k) => k.startsWith('lambda-ci/_lci/deps/')),
        [`lambda-ci/_lci/deps/qa/beta/${KEY('c')}.zip`],
      );
      assert.ok(json.storage.after!.used < json.storage.before.used, 'code storage went down');
      assert.equal(versionsOf(world, 'alpha-qa'), ['1', '2'], 'alpha: version 1 is not lci’s, 2 is served');

      // Run again: the window holds, nothing more goes.
      const again = await run(world, repo, ['prune', '--env', 'qa', '--keep', '1', '--yes']);
      assert.equal(
        (again.json as PruneJson).functions.map((f) => f.status),
        ['NOTHING', 'NOTHING'],
      );
    });
  },
);

prune('the rollback window: --keep N keeps the last N versions each alias served', async () => {
  await AwsWorld.with(async (world) => {
    const { repo } = await fiveReleases(world);
    const r = await run(world, repo, ['prune', 'beta', '--env', 'qa', '--keep', '3', '--yes']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(versionsOf(world, 'beta'), ['1', '4', '5', '6']);
    const young = await run(world, repo, [
      'prune',
      'beta',
      '--env',
      'qa',
      '--keep',
      '1',
      '--older-than',
      '1d',
      '--yes',
    ]);
    assert.equal(verdicts(young.json as PruneJson, 'beta'), {
      1: 'KEEP not-lci',
      4: 'KEEP young',
      5: 'KEEP young',
      6: 'KEEP alias',
    });
  });
});

prune('a deploy with prune: {keep: N} prunes each function it released, after the release', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo({ envExtra: ', prune: { keep: 2 }' });
    for (let i = 2; i <= 4; i++) {
      if (i > 2) repo.commit({ 'svc/beta/app.py': `def handler(event, context):\n    return ${i}\n` });
      const r = await run(world, repo, ['deploy', '--env', 'qa']);
      assert.is(r.code, 0, r.stderr);
      const functions = (r.json as { functions: { name: string; pruned?: { versions: string[] } }[] }).functions;
      const beta = functions.find((f) => f.name === 'beta')!;
      assert.equal(beta.pruned?.versions, i === 4 ? ['2'] : []);
    }
    assert.equal(versionsOf(world, 'beta'), ['1', '3', '4']);
    assert.equal(versionsOf(world, 'alpha-qa'), ['1', '2'], 'alpha was released once, then left alone');
  });
});

prune('status shows the code storage against the limit, and warns above 80%', async () => {
  let used = 0;
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const r = await run(world, repo, ['status', '--env', 'qa']);
    assert.is(r.code, 0, r.stderr);
    used = (r.json as { storage: { used: number; limit: number } }).storage.used;
    assert.ok(used > 0 && (r.json as { storage: { limit: number } }).storage.limit === 80_530_636_800);
    assert.not.match(r.stderr, /warning/);
  });
  await AwsWorld.with(
    async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      const r = await lciAsync(['status', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
      assert.is(r.code, 0, r.stderr);
      assert.match(r.stdout, /\ncode storage in the region: \S+ \S+ of \S+ \S+ \(90\.\d%\)\n$/);
      assert.match(
        r.stderr,
        /lci: warning: code storage in the region: .* \(90\.\d%\): above 80% of the limit, and every deploy adds versions; run lci prune/,
      );
    },
    { totalCodeSize: Math.floor(used / 0.905) },
  );
});

prune(
  'a role that may not read the account settings: status and prune say the storage is unknown, and do their work',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      world.lambda.inject('GetAccountSettings', 'access-denied');
      const status = await lciAsync(['status', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
      assert.is(status.code, 0, status.stderr);
      assert.match(status.stdout, /alpha-qa/);
      assert.match(
        status.stdout,
        /\ncode storage in the region: unknown \(not permitted to call lambda:GetAccountSettings\)\n$/,
      );
      const pruned = await run(world, repo, ['prune', '--env', 'qa', '--keep', '1', '--yes']);
      assert.is(pruned.code, 0, pruned.stderr);
      assert.equal((pruned.json as { storage: unknown }).storage, {
        before: { unknown: 'not permitted to call lambda:GetAccountSettings' },
        after: null,
      });
    });
  },
);

prune.run();
