import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteLayerVersionCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeHostileZip } from './harness/hostile-zip.js';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { containersCreated, requireDocker } from './harness/docker.js';
import { CREDENTIALS } from './harness/s3.js';
import { tempDir } from './harness/tmp.js';

// What lci deploys is exactly what the commit says; when it cannot know, it stops and says so.

async function deploy(world: AwsWorld, cwd: string, args: string[] = []) {
  const r = await lciAsync(['deploy', '--env', 'qa', '--json', ...args], { cwd, env: world.env() });
  let json: DeployJson | null = null;
  try {
    json = JSON.parse(r.stdout) as DeployJson;
  } catch {
    // null: the assertions say what was printed instead
  }
  return { ...r, json };
}

const byName = (json: DeployJson | null) => Object.fromEntries((json?.functions ?? []).map((f) => [f.name, f]));

function zipNames(zip: Buffer): string[] {
  const path = join(tempDir(), 'z.zip');
  writeFileSync(path, zip);
  return execFileSync('python3', [
    '-c',
    'import sys,zipfile\nprint("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
    path,
  ])
    .toString()
    .trim()
    .split('\n');
}

const dirty = suite('deploy: a dirty work tree never borrows a clean commit');

dirty(
  'uncommitted changes under a function are refused, naming the files; --allow-dirty deploys them as <sha>-dirty-<hash>',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      writeFileSync(join(repo.dir, 'svc/alpha/app.py'), 'def handler(event, context):\n    return "not committed"\n');
      writeFileSync(join(repo.dir, 'NOTES.md'), 'untracked notes do not count\n');
      const refused = await deploy(world, repo.dir);
      assert.is(refused.code, 2);
      assert.match(
        refused.stderr,
        /lci: uncommitted changes under the inputs of alpha \(svc\/alpha\/app\.py\): commit them .* or pass --allow-dirty/,
      );
      assert.not.match(refused.stderr, /beta/);
      assert.equal(world.mutations(), []);

      const r = await deploy(world, repo.dir, ['--allow-dirty']);
      assert.is(r.code, 0, r.stderr);
      const sv = r.json!.sourceVersion;
      assert.match(sv, new RegExp(`^${repo.head()}-dirty-[0-9a-f]{12}$`));
      const alpha = world.lambda.functionState('alpha-qa')!;
      const live = alpha.versions.find((v) => v.Version === alpha.aliases.qa!.FunctionVersion)!;
      assert.ok(live.Description!.startsWith(`${sv} `), live.Description);
      assert.ok((await world.s3.keys('lambda-ci/alpha-qa/')).includes(`lambda-ci/alpha-qa/${sv}/app.zip`));
      assert.not.ok(
        (await world.s3.keys('lambda-ci/alpha-qa/')).includes(`lambda-ci/alpha-qa/${repo.head()}/app.zip`),
        'the bare sha never names dirty bytes',
      );

      const status = await lciAsync(['status', 'alpha', '--env', 'qa', '--json'], { cwd: repo.dir, env: world.env() });
      assert.is(
        (JSON.parse(status.stdout) as { functions: { sourceVersion: string }[] }).functions[0]!.sourceVersion,
        sv,
      );
      const plan = await lciAsync(['plan', '--since', 'deployed', '--env', 'qa', '--json'], {
        cwd: repo.dir,
        env: world.env(),
      });
      const fns = (
        JSON.parse(plan.stdout) as {
          functions: { name: string; affected: boolean; reasons: { rule: string; detail?: string }[] }[];
        }
      ).functions;
      const a = fns.find((f) => f.name === 'alpha')!;
      assert.equal([a.affected, a.reasons[0]!.rule], [true, 'dirty-deployed']);
      assert.match(a.reasons[0]!.detail!, /deployed from uncommitted changes on top of/);
      // Every function a dirty run released carries the dirty name: beta's bytes are the commit's, but nothing in git says so.
      assert.equal(fns.find((f) => f.name === 'beta')!.reasons[0]!.rule, 'dirty-deployed');
    });
  },
);

dirty("a dirty file that is no selected function's input does not stop a deploy", async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    writeFileSync(join(repo.dir, 'svc/alpha/app.py'), '# only alpha is dirty\n');
    const r = await deploy(world, repo.dir, ['beta']);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.json!.sourceVersion, repo.head());
  });
});

dirty('a symlink in a function to a file outside its path ships that file only when git tracks it', async () => {
  // A deploy lists what git tracks only where the function's inputs lie; the link's target lies elsewhere.
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    mkdirSync(join(repo.dir, 'shared'));
    writeFileSync(join(repo.dir, 'shared/util.py'), 'UTIL = 1\n');
    symlinkSync('../../shared/util.py', join(repo.dir, 'svc/alpha/util.py'));
    symlinkSync('../../shared/notes.py', join(repo.dir, 'svc/alpha/notes.py'));
    repo.commit({}, 'links');
    writeFileSync(join(repo.dir, 'shared/notes.py'), 'never committed\n');
    const r = await deploy(world, repo.dir, ['alpha']);
    assert.is(r.code, 0, r.stderr);
    const zip = await world.s3.get(`lambda-ci/alpha-qa/${repo.head()}/app.zip`);
    assert.equal(zipNames(zip), ['app.py', 'util.py']);
  });
});

const keys = suite('deploy: versioned S3 keys are immutable');

keys(
  'a versioned key holding other bytes stops the deploy; the same bytes are reused, not uploaded again',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      const key = `lambda-ci/beta/${repo.head()}/app.zip`;
      await world.s3.client.send(
        new PutObjectCommand({
          Bucket: world.s3.bucket,
          Key: key,
          Body: Buffer.from('someone else'),
          Metadata: { 'lci-code-sha256': 'forged' },
        }),
      );
      const r = await deploy(world, repo.dir, ['beta']);
      assert.is(r.code, 1);
      assert.match(
        r.stderr,
        /s3:\/\/acme-artifacts\/lambda-ci\/beta\/[0-9a-f]{40}\/app\.zip already holds other bytes \(CodeSha256 forged, this deploy has CodeSha256 \S+\): versioned keys are never overwritten/,
      );
      assert.equal((await world.s3.get(key)).toString(), 'someone else', 'not overwritten');
      assert.equal(world.mutations(), []);

      const first = await deploy(world, repo.dir, ['alpha']);
      assert.is(first.code, 0, first.stderr);
      const zip = await world.s3.get(`lambda-ci/alpha-qa/${repo.head()}/app.zip`);
      await lciAsync(['rollback', 'alpha', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
      const again = await deploy(world, repo.dir, ['alpha']);
      assert.is(again.code, 0, again.stderr);
      assert.ok(
        !byName(again.json).alpha!.s3.includes(`s3://acme-artifacts/lambda-ci/alpha-qa/${repo.head()}/app.zip`),
        'the same bytes were not uploaded again',
      );
      assert.ok((await world.s3.get(`lambda-ci/alpha-qa/${repo.head()}/app.zip`)).equals(zip));
    });
  },
);

const live = suite('deploy: the live function must be what lambdas.yaml says');

live(
  'a runtime or architecture Terraform set differently stops the release before any write, naming both values',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      repo.commit({
        'lambdas.yaml': repo
          .git('show', 'HEAD:lambdas.yaml')
          .replace(
            '    path: svc/beta\n',
            '    path: svc/beta\n    runtime: python3.13\n    architecture: arm64\n    handler: app.handler\n',
          ),
      });
      for (const args of [[], ['--dry-run']]) {
        const r = await deploy(world, repo.dir, ['beta', ...args]);
        assert.is(r.code, 2, r.stderr);
        assert.match(
          r.stderr,
          /lci: function beta \(beta\): the live function beta is not what lambdas\.yaml describes; nothing was written:\n {2}runtime: Terraform \(the live function\) says python3\.12, lambdas\.yaml says python3\.13\n {2}architecture: Terraform \(the live function\) says x86_64, lambdas\.yaml says arm64\n/,
        );
        assert.not.match(r.stderr, /handler:/, 'the handler agrees');
      }
      assert.equal(world.mutations(), []);
      assert.equal(await world.s3.keys('lambda-ci/beta/'), [], 'nothing reached S3 either');
    });
  },
);

live('a layer lci did not publish is never taken off; one it published is', async () => {
  await AwsWorld.with(async (world) => {
    const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
    const emptyZip = new Uint8Array(Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary'));
    const foreign = await sdk.send(
      new PublishLayerVersionCommand({
        LayerName: 'beta-deps',
        Description: 'built by aws-lambda-ci',
        Content: { ZipFile: emptyZip },
      }),
    );
    await seedFunctions(world, QA_FUNCTIONS);
    await serveWithLayer(sdk, 'beta', foreign.LayerVersionArn!);
    const repo = await deployRepo();
    // The original layout: requirements.txt beside src/, so the default descriptor is not found.
    repo.commit({
      'lambdas.yaml': repo
        .git('show', 'HEAD:lambdas.yaml')
        .replace('    path: svc/beta\n    descriptor: false', '    path: svc/beta'),
      'svc/beta/app.py': '# v2\n',
    });
    world.lambda.clearLog();
    const r = await deploy(world, repo.dir, ['beta']);
    assert.is(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /beta has layer beta-deps:1 attached, which lci did not publish \(its description: "built by aws-lambda-ci"\), and lci found no dependencies in svc\/beta\/requirements\.txt, .*declare the function's descriptor/,
    );
    assert.equal(world.mutations(), []);

    const ours = await sdk.send(
      new PublishLayerVersionCommand({
        LayerName: 'beta-deps',
        Description: `lci deps ${'a'.repeat(32)} from old`,
        Content: { ZipFile: emptyZip },
      }),
    );
    await serveWithLayer(sdk, 'beta', ours.LayerVersionArn!);
    world.lambda.clearLog();
    const detached = await deploy(world, repo.dir, ['beta']);
    assert.is(detached.code, 0, detached.stderr);
    assert.is(byName(detached.json).beta!.layer.action, 'detach');
  });
});

/** As Terraform or an older tool would leave it: the alias serves a version with this layer. */
async function serveWithLayer(sdk: LambdaClient, name: string, layerArn: string): Promise<void> {
  await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Layers: [layerArn] }));
  const v = await sdk.send(new PublishVersionCommand({ FunctionName: name }));
  await sdk.send(new UpdateAliasCommand({ FunctionName: name, Name: 'qa', FunctionVersion: v.Version! }));
}

/**
 * Overwrites a layer cache object, as anyone with write access to it could: a zip of `names` (each
 * holding `text`), with the metadata an older lci checked it by (its own digest, a tiny size). Its digest.
 */
async function forgeCache(world: AwsWorld, key: string, names: string[], text: string): Promise<string> {
  const path = join(tempDir(), 'evil.zip');
  const data = Buffer.from(text);
  // writeZip refuses names that climb out: the forger writes the zip by hand.
  await writeHostileZip(
    names.map((name) => ({ name, source: { data }, size: data.length, executable: false })),
    path,
  );
  const bytes = readFileSync(path);
  const sha = createHash('sha256').update(bytes).digest('base64');
  const depsKey = key.split('/').at(-1)!.slice(0, -4);
  await world.s3.client.send(
    new PutObjectCommand({
      Bucket: world.s3.bucket,
      Key: key,
      Body: bytes,
      Metadata: { 'lci-zip-sha256': sha, 'lci-unzipped-bytes': '1', 'lci-deps-key': depsKey },
    }),
  );
  return sha;
}

const cache = suite('deploy: the layer cache cannot be poisoned (real Docker)');

cache.before(requireDocker);

cache(
  "a poisoned cache object is rebuilt, never published; another environment never reads this one's cache",
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, [...QA_FUNCTIONS, { name: 'gamma', alias: 'qa' }]);
      const repo = await deployRepo({ deps: true, extra: '    layerName: "gamma-${env}-deps"\n' });
      const first = await deploy(world, repo.dir, ['gamma']);
      assert.is(first.code, 0, first.stderr);
      const [cacheKey] = await world.s3.keys('lambda-ci/_lci/deps/qa/gamma/');
      assert.ok(cacheKey, 'the layer cache is scoped to the function and environment');

      // Someone with write access overwrites the cache with a zip-slip layer and matching metadata.
      await forgeCache(world, cacheKey!, ['../../etc/cron.d/evil', 'python/acme/__init__.py'], 'import os\n');

      // A new commit on a fresh machine must publish the layer again: its version was deleted, and
      // the version the alias serves runs without it (else that attached version would be kept).
      world.lambda.clearLog();
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
      await sdk.send(new DeleteLayerVersionCommand({ LayerName: 'gamma-qa-deps', VersionNumber: 1 }));
      await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'gamma', Layers: [] }));
      const bare = await sdk.send(new PublishVersionCommand({ FunctionName: 'gamma' }));
      await sdk.send(new UpdateAliasCommand({ FunctionName: 'gamma', Name: 'qa', FunctionVersion: bare.Version! }));
      const clone = await deployRepo({ deps: true, extra: '    layerName: "gamma-${env}-deps"\n' });
      clone.commit({ 'svc/gamma/app.py': 'import acme  # v2\n' });
      const t0 = Date.now();
      const r = await deploy(world, clone.dir, ['gamma']);
      assert.is(r.code, 0, r.stderr);
      assert.is(
        await containersCreated(clone.dir, t0, Date.now()),
        1,
        'the poisoned object was not used: the layer was built again',
      );
      const published = world.lambda.layerVersions('gamma-qa-deps').at(-1)!;
      const layerZip = await world.s3.get(`lambda-ci/gamma/${clone.head()}/deps.zip`);
      assert.ok(
        zipNames(layerZip).every((n) => !n.includes('..')),
        'no zip-slip entry in what was published',
      );
      assert.ok(published.Version! >= 2);

      // prod reads only its own cache: what qa's pipeline wrote never reaches it.
      const t1 = Date.now();
      const prod = await lciAsync(['deploy', 'gamma', '--env', 'prod', '--json', '--source-version', 'v1.0.0'], {
        cwd: clone.dir,
        env: world.env(),
      });
      assert.is(prod.code, 0, prod.stderr);
      assert.is(
        await containersCreated(clone.dir, t1, Date.now()),
        0,
        'built once in this checkout (.lci/cache), not taken from qa',
      );
      assert.ok((await world.s3.keys('lambda-ci/_lci/deps/prod/gamma/')).length === 1);
    });
  },
);

cache(
  'a forged cache object with forged metadata is never published; a version of the key is attached, not published again',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, [...QA_FUNCTIONS, { name: 'gamma', alias: 'qa' }]);
      const extra = '    layerName: "gamma-${env}-deps"\n';
      const first = await deploy(world, (await deployRepo({ deps: true, extra })).dir, ['gamma']);
      assert.is(first.code, 0, first.stderr);
      const [cacheKey] = await world.s3.keys('lambda-ci/_lci/deps/qa/gamma/');
      const depsKey = cacheKey!.split('/').at(-1)!.slice(0, -4);
      const genuine = world.lambda.layerVersions('gamma-qa-deps')[0]!;
      assert.match(genuine.Description!, new RegExp(`^lci deps ${depsKey} zip [A-Za-z0-9+/]{43}= from `));
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });

      /** Deps moved on (another key is the newest version) and the alias serves a version without the layer. */
      const takenOff = async () => {
        await sdk.send(
          new PublishLayerVersionCommand({
            LayerName: 'gamma-qa-deps',
            Description: `lci deps ${'b'.repeat(32)} from other`,
            Content: { S3Bucket: world.s3.bucket, S3Key: cacheKey! },
          }),
        );
        await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'gamma', Layers: [] }));
        const bare = await sdk.send(new PublishVersionCommand({ FunctionName: 'gamma' }));
        await sdk.send(new UpdateAliasCommand({ FunctionName: 'gamma', Name: 'qa', FunctionVersion: bare.Version! }));
      };
      const freshDeploy = async (change: string) => {
        const clone = await deployRepo({ deps: true, extra });
        clone.commit({ 'svc/gamma/app.py': `import acme  # ${change}\n` });
        const t0 = Date.now();
        world.lambda.clearLog();
        const r = await deploy(world, clone.dir, ['gamma']);
        assert.is(r.code, 0, r.stderr);
        return { r, built: await containersCreated(clone.dir, t0, Date.now()) };
      };

      // The genuine version of the key still exists: it is the one version of the key, attached again.
      await takenOff();
      const attached = await freshDeploy('v2');
      assert.is(attached.built, 0, 'nothing built');
      assert.not.ok(world.mutations().includes('PublishLayerVersion'), 'nothing published');
      assert.is(attached.r.json!.functions[0]!.layer.version, genuine.Version);

      // Every version of the key gone (as prune deletes them), and someone who may write the cache
      // replaces it, metadata and all: no version records the forged digest, so it is built again.
      for (const v of world.lambda.layerVersions('gamma-qa-deps'))
        if (v.Description!.startsWith(`lci deps ${depsKey}`))
          await sdk.send(new DeleteLayerVersionCommand({ LayerName: 'gamma-qa-deps', VersionNumber: v.Version! }));
      const sha = await forgeCache(world, cacheKey!, ['python/acme/__init__.py'], 'import os\nos.system("evil")\n');
      await takenOff();
      const forged = await freshDeploy('v3');
      assert.is(forged.built, 1, 'no published version records the forged digest: the layer was built again');
      const published = world.lambda.layerVersions('gamma-qa-deps').at(-1)!;
      assert.is.not(published.Content!.CodeSha256, sha, 'the forged zip was never published');
      assert.ok(
        world.lambda
          .layerVersions('gamma-qa-deps')
          .every((l) => l.Content!.CodeSha256 !== sha || l.Description!.includes(' from other')),
        'only the stand-in version the test itself published holds the forged bytes',
      );
      assert.ok(published.Description!.includes(` zip ${published.Content!.CodeSha256} from `), published.Description);
    });
  },
);

dirty.run();
keys.run();
live.run();
cache.run();
