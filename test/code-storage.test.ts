import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  type GetFunctionResponse,
  GetLayerVersionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeZip } from '../src/package/zip.js';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployConfig, deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { requireDocker } from './harness/docker.js';
import { MotoS3 } from './harness/moto-s3.js';
import { CREDENTIALS } from './harness/s3.js';
import { tempDir } from './harness/tmp.js';

// codeStorage: reference. lci deploys functions and layers with S3ObjectStorageMode REFERENCE,
// pinned to the object version it uploaded, to a versioned bucket (moto's S3: s3rver keeps no
// versions) and the Lambda stand-in, which reads the code from that bucket.

/** The deploy fixture with `artifacts.codeStorage` set. */
function storageConfig(storage: 'copy' | 'reference', opts: { deps?: boolean } = {}): string {
  return deployConfig(opts).replace(
    'artifacts: { bucket: acme-artifacts, region: eu-west-1 }',
    `artifacts: { bucket: acme-artifacts, region: eu-west-1, codeStorage: ${storage} }`,
  );
}

async function referenceRepo(opts: { deps?: boolean } = {}) {
  const repo = await deployRepo(opts);
  repo.commit({ 'lambdas.yaml': storageConfig('reference', opts) }, 'codeStorage: reference');
  return repo;
}

async function withVersionedWorld(body: (world: AwsWorld, s3: MotoS3) => Promise<void>, versioned = true) {
  const s3 = await MotoS3.start({ versioned });
  try {
    await AwsWorld.with((world) => body(world, s3), { s3 });
  } finally {
    await s3.close();
  }
}

async function run(world: AwsWorld, cwd: string, args: string[]) {
  const r = await lciAsync([...args, '--json'], { cwd, env: world.env() });
  let json: (DeployJson & { plan?: unknown }) | null = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // left null: the assertions say what was printed instead
  }
  return { ...r, json };
}

const deploy = (world: AwsWorld, cwd: string, args: string[] = []) =>
  run(world, cwd, ['deploy', '--env', 'qa', ...args]);

function lambdaOf(world: AwsWorld): LambdaClient {
  return new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
}

async function code(world: AwsWorld, name: string, qualifier: string): Promise<GetFunctionResponse> {
  return lambdaOf(world).send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }));
}

async function lambdaStorage(world: AwsWorld): Promise<number> {
  return (await lambdaOf(world).send(new GetAccountSettingsCommand({}))).AccountUsage!.TotalCodeSize!;
}

/** The one object version of a key, as S3 lists it. */
async function onlyVersion(s3: MotoS3, key: string): Promise<string> {
  const versions = await s3.versions(key);
  assert.is(versions.length, 1, `${key} has one version: ${versions.join(', ')}`);
  return versions[0]!.split('?versionId=')[1]!;
}

const reference = suite('codeStorage: reference');

reference(
  'a reference deploy publishes versions pinned to the object version lci uploaded; Lambda-managed storage does not grow; the next deploy is one GetFunction per function',
  async () => {
    await withVersionedWorld(async (world, s3) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await referenceRepo();
      const sv = repo.head();
      const before = await lambdaStorage(world);
      const first = await deploy(world, repo.dir);
      assert.is(first.code, 0, first.stderr);
      assert.equal(
        first.json!.functions.map((f) => [f.name, f.status, f.calls[0]]),
        [
          ['alpha', 'PUBLISHED', 'UpdateFunctionCode alpha-qa (REFERENCE)'],
          ['beta', 'PUBLISHED', 'UpdateFunctionCode beta (REFERENCE)'],
        ],
      );
      for (const [name, fn] of [
        ['alpha-qa', 'alpha'],
        ['beta', 'beta'],
      ] as const) {
        const key = `lambda-ci/${name}/${sv}/app.zip`;
        const served = await code(world, name, 'qa');
        assert.is(served.Configuration!.Version, '2');
        assert.equal(
          served.Code!.ResolvedS3Object,
          { S3Bucket: 'acme-artifacts', S3Key: key, S3ObjectVersion: await onlyVersion(s3, key) },
          `${fn} runs the object version lci uploaded, by reference`,
        );
      }
      const copies = await Promise.all(
        ['alpha-qa', 'beta'].map(async (n) => (await code(world, n, '1')).Configuration!.CodeSize!),
      );
      assert.ok(before > 0);
      assert.is(
        await lambdaStorage(world),
        copies[0]! + copies[1]!,
        "only the copies Terraform's version 1 made count: the released versions and $LATEST take no Lambda-managed storage",
      );

      world.lambda.clearLog();
      const second = await deploy(world, repo.dir);
      assert.is(second.code, 0, second.stderr);
      assert.equal(
        second.json!.functions.map((f) => f.status),
        ['INTACT', 'INTACT'],
      );
      assert.equal(
        world.lambda.log.map((l) => `${l.operation} ${l.path}`).sort(),
        [
          'GetFunction /2015-03-31/functions/alpha-qa?Qualifier=qa',
          'GetFunction /2015-03-31/functions/beta?Qualifier=qa',
        ],
        'a no-op is one GetFunction per function: its Code says how the version keeps its code',
      );
    });
  },
);

reference('a layer is published by reference, pinned to the version of the cache object lci measured', async () => {
  await requireDocker();
  await withVersionedWorld(async (world, s3) => {
    await seedFunctions(world, [...QA_FUNCTIONS, { name: 'gamma', alias: 'qa' }]);
    const repo = await referenceRepo({ deps: true });
    const before = await lambdaStorage(world);
    const r = await deploy(world, repo.dir, ['gamma']);
    assert.is(r.code, 0, r.stderr);
    const layer = world.lambda.layerVersions('gamma-deps');
    assert.is(layer.length, 1);
    const content = (
      await lambdaOf(world).send(new GetLayerVersionCommand({ LayerName: 'gamma-deps', VersionNumber: 1 }))
    ).Content!;
    const cache = (await s3.keys('lambda-ci/_lci/deps/qa/gamma/'))[0]!;
    assert.equal(content.ResolvedS3Object, {
      S3Bucket: 'acme-artifacts',
      S3Key: cache,
      S3ObjectVersion: await onlyVersion(s3, cache),
    });
    const copy = (await code(world, 'gamma', '1')).Configuration!.CodeSize!;
    assert.is(
      (await lambdaStorage(world)) - before,
      -copy,
      "neither the layer nor the code takes Lambda-managed storage (and $LATEST's copy is gone)",
    );
  });
});

reference('switching codeStorage copy → reference → copy is a release each way, of the same code', async () => {
  await withVersionedWorld(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const copied = await deploy(world, repo.dir, ['alpha']);
    assert.is(copied.code, 0, copied.stderr);
    const sha = copied.json!.functions[0]!.code.sha256;
    assert.is((await code(world, 'alpha-qa', 'qa')).Code!.ResolvedS3Object, undefined);
    const storageCopied = await lambdaStorage(world);

    repo.commit({ 'lambdas.yaml': storageConfig('reference') });
    const toReference = await deploy(world, repo.dir, ['alpha']);
    assert.is(toReference.code, 0, toReference.stderr);
    const f = toReference.json!.functions[0]!;
    assert.equal([f.status, f.version, f.code.sha256], ['PUBLISHED', '3', sha]);
    assert.ok(
      f.calls.includes('UpdateFunctionCode alpha-qa (REFERENCE)'),
      `the same zip is updated by reference: ${f.calls}`,
    );
    const served = await code(world, 'alpha-qa', 'qa');
    assert.is(served.Configuration!.CodeSha256, sha);
    assert.ok(served.Code!.ResolvedS3Object, 'version 3 runs its code from S3');
    assert.ok(
      (await lambdaStorage(world)) < storageCopied,
      "version 3 takes no Lambda-managed storage, and $LATEST's copy is gone",
    );

    repo.commit({ 'lambdas.yaml': storageConfig('copy') });
    const back = await deploy(world, repo.dir, ['alpha']);
    assert.is(back.code, 0, back.stderr);
    assert.equal([back.json!.functions[0]!.status, back.json!.functions[0]!.version], ['PUBLISHED', '4']);
    assert.is((await code(world, 'alpha-qa', 'qa')).Code!.ResolvedS3Object, undefined, 'version 4 is a copy again');
  });
});

reference(
  'lci apply pins the object version the plan names: bytes written to the key after the plan are not what is released',
  async () => {
    await withVersionedWorld(async (world, s3) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await referenceRepo();
      const file = join(tempDir(), 'plan.json');
      const planned = await deploy(world, repo.dir, ['alpha', '--plan-out', file]);
      assert.is(planned.code, 0, planned.stderr);
      const plan = JSON.parse(readFileSync(file, 'utf8')) as {
        codeStorage: string;
        functions: {
          code: { codeSha256: string; storage: string; artifact: { key: string; s3ObjectVersion: string } };
        }[];
      };
      assert.equal([plan.codeStorage, plan.functions[0]!.code.storage], ['reference', 'reference']);
      const { artifact, codeSha256 } = plan.functions[0]!.code;
      assert.is(artifact.s3ObjectVersion, await onlyVersion(s3, artifact.key), 'the plan names the version uploaded');

      // Someone who may write the bucket puts other code under the same key.
      const other = join(tempDir(), 'other.zip');
      const data = Buffer.from('def handler(e, c):\n    return "not planned"\n');
      await writeZip([{ name: 'app.py', source: { data }, size: data.length, executable: false }], other);
      const overwritten = await s3.put(artifact.key, readFileSync(other));
      assert.not.equal(overwritten, artifact.s3ObjectVersion);

      const applied = await run(world, repo.dir, ['apply', file]);
      assert.is(applied.code, 0, applied.stderr);
      const served = await code(world, 'alpha-qa', 'qa');
      assert.is(served.Configuration!.CodeSha256, codeSha256, 'the planned code runs');
      assert.is(served.Code!.ResolvedS3Object!.S3ObjectVersion, artifact.s3ObjectVersion);
    });
  },
);

reference('a bucket without versioning is refused, exit 2, one line, before anything is written anywhere', async () => {
  await withVersionedWorld(async (world, s3) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await referenceRepo();
    for (const state of ['never', 'Suspended'] as const) {
      if (state === 'Suspended') {
        await s3.versioning('Enabled');
        await s3.versioning('Suspended');
      }
      world.lambda.clearLog();
      const r = await lciAsync(['deploy', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
      assert.is(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.is(lines.length, 1, r.stderr);
      assert.match(
        lines[0]!,
        `environment qa keeps its code by reference (codeStorage: reference), which needs versioning on bucket acme-artifacts, and its versioning is ${state === 'never' ? 'not enabled' : 'suspended'}; enable it (aws s3api put-bucket-versioning --bucket acme-artifacts`,
      );
      assert.match(lines[0]!, 'lambda.amazonaws.com s3:GetObject and s3:GetObjectVersion');
      assert.equal(await s3.keys(), [], 'nothing uploaded');
      assert.equal(world.mutations(), [], 'no Lambda write');
      assert.equal(world.lambda.log, [], 'not even a Lambda read');
    }
  }, false);
});

reference(
  'prune deletes, by VersionId, the object versions no remaining version runs from, and never one a kept version references',
  async () => {
    await withVersionedWorld(async (world, s3) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await referenceRepo();
      const sources: string[] = [];
      for (let i = 0; i < 3; i++) {
        if (i > 0) repo.commit({ 'svc/alpha/app.py': `def handler(event, context):\n    return ${i}\n` });
        sources.push(repo.head());
        const r = await deploy(world, repo.dir, ['alpha']);
        assert.is(r.code, 0, r.stderr);
      }
      // Versions 2, 3 and 4 run sources 0, 1 and 2; qa serves 4. By hand, version 5 runs the object
      // version of source 0, held by an alias of its own: nothing in lci's records says so.
      const key = (i: number) => `lambda-ci/alpha-qa/${sources[i]}/app.zip`;
      const [v0, v1] = [await onlyVersion(s3, key(0)), await onlyVersion(s3, key(1))];
      const lambda = lambdaOf(world);
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: 'alpha-qa',
          S3Bucket: 'acme-artifacts',
          S3Key: key(0),
          S3ObjectVersion: v0,
          S3ObjectStorageMode: 'REFERENCE',
        }),
      );
      const five = (await lambda.send(new PublishVersionCommand({ FunctionName: 'alpha-qa' }))).Version!;
      assert.is(five, '5');
      await lambda.send(new CreateAliasCommand({ FunctionName: 'alpha-qa', Name: 'pinned', FunctionVersion: five }));

      const dry = await run(world, repo.dir, ['prune', 'alpha', '--env', 'qa', '--keep', '1', '--dry-run']);
      assert.is(dry.code, 0, dry.stderr);
      const pruned = await run(world, repo.dir, ['prune', 'alpha', '--env', 'qa', '--keep', '1', '--yes']);
      assert.is(pruned.code, 0, pruned.stderr);
      const f = (
        pruned.json as unknown as {
          functions: { versions: { version: string; action: string }[]; s3: string[]; s3Kept: string[] }[];
        }
      ).functions[0]!;
      assert.equal(
        f.versions.filter((v) => v.action === 'DELETED').map((v) => v.version),
        ['2', '3'],
      );
      assert.equal(f.s3, [`s3://acme-artifacts/${key(1)}?versionId=${v1}`], 'source 1 goes, by VersionId');
      assert.equal(f.s3Kept, [`s3://acme-artifacts/${key(0)}?versionId=${v0}`], 'version 5 and $LATEST run it');
      assert.equal(
        (dry.json as unknown as { functions: { s3: string[] }[] }).functions[0]!.s3,
        f.s3,
        '--dry-run lists what goes',
      );
      assert.equal(await s3.versions(key(1)), [], 'no version (and no delete marker) of source 1 is left');
      assert.equal(await s3.versions(key(0)), [`${key(0)}?versionId=${v0}`], 'the object version 5 runs from stays');
      assert.equal((await code(world, 'alpha-qa', 'pinned')).Code!.ResolvedS3Object!.S3ObjectVersion, v0);
    });
  },
);

reference(
  "lci status shows how each served version keeps its code, and what the environment's codeStorage wants",
  async () => {
    await withVersionedWorld(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await referenceRepo();
      assert.is((await deploy(world, repo.dir, ['alpha'])).code, 0);
      const r = await lciAsync(['status', '--env', 'qa', '--json'], { cwd: repo.dir, env: world.env() });
      assert.is(r.code, 0, r.stderr);
      const rows = (JSON.parse(r.stdout) as { functions: { name: string; storage: Record<string, unknown> }[] })
        .functions;
      const alphaKey = `lambda-ci/alpha-qa/${repo.head()}/app.zip`;
      const served = await code(world, 'alpha-qa', 'qa');
      assert.equal(
        rows.map((x) => [x.name, x.storage]),
        [
          [
            'alpha',
            {
              mode: 'reference',
              wanted: 'reference',
              bytes: served.Configuration!.CodeSize,
              s3: `s3://acme-artifacts/${alphaKey}?versionId=${served.Code!.ResolvedS3Object!.S3ObjectVersion}`,
            },
          ],
          [
            'beta',
            {
              mode: 'copy',
              wanted: 'reference',
              bytes: (await code(world, 'beta', 'qa')).Configuration!.CodeSize,
              s3: null,
            },
          ],
        ],
      );
      const text = await lciAsync(['status', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
      assert.match(text.stdout, /\nalpha\s+qa\s+alpha-qa\s+qa → 2\s+.*\sS3 \d+ B\s+-\n/);
      assert.match(text.stdout, /\nbeta\s+qa\s+beta\s+qa → 1\s+.*\scopy \d+ B → reference\s+-\n/);
      assert.match(
        text.stdout,
        /code the aliases serve: 1 version in Lambda-managed storage \(\d+ B\), 1 version referenced from S3 \(\d+ B, not counted below\)\ncode storage in the region: /,
      );
    });
  },
);

reference.run();
