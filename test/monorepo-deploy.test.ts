import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaClient, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeZip } from '../src/package/zip.js';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { containersCreated, requireDocker } from './harness/docker.js';
import { JOBS, monorepo } from './harness/monorepo-fixture.js';
import { CREDENTIALS } from './harness/s3.js';
import { tempDir } from './harness/tmp.js';

// lci deploy of the monorepo of issue 13 against s3rver and the Lambda stand-in (the unmodified
// SDK over HTTP), with the shared layer, the TypeScript and provided.al2023 builds in Docker.

const USERS = ['users', 'orders', ...JOBS.map((j) => `sync-${j}`)];
const ALL = [...USERS.slice(0, 2), 'health', ...USERS.slice(2), 'web', 'native'];

interface DeployJson {
  layers: { name: string; awsName: string; key: string; status: string; version: number | null; functions: string[] }[];
  functions: {
    name: string;
    awsName: string;
    status: string;
    layers: string[];
    calls: string[];
    error?: string;
    code: { zip: string };
  }[];
}

const EMPTY_ZIP = new Uint8Array(Buffer.from(`PK\x05\x06${'\0'.repeat(18)}`, 'binary'));

/** The ten functions of qa as Terraform made them, each with version 1 and alias qa; `layers` per function (ARNs). */
async function seed(world: AwsWorld, layers: Record<string, string[]> = {}): Promise<void> {
  const path = join(tempDir(), 'old.zip');
  const data = Buffer.from('old\n');
  await writeZip([{ name: 'old.txt', source: { data }, size: data.length, executable: false }], path);
  const zip = readFileSync(path);
  const runtime = (name: string) =>
    name === 'web' ? 'nodejs22.x' : name === 'native' ? 'provided.al2023' : 'python3.12';
  const handler = (name: string) =>
    name === 'web'
      ? 'index.handler'
      : name === 'native'
        ? 'bootstrap'
        : name.startsWith('sync-')
          ? 'app.handler'
          : `${name}.handler`;
  for (const name of ALL)
    world.lambda.seedFunction({
      name: `${name}-qa`,
      runtime: runtime(name),
      handler: handler(name),
      zip,
      aliases: ['qa'],
      layers: layers[name] ?? [],
    });
}

async function foreignLayer(world: AwsWorld, name: string): Promise<string> {
  const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
  return (await sdk.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: EMPTY_ZIP } })))
    .LayerVersionArn!;
}

async function deploy(world: AwsWorld, dir: string, args: string[] = []) {
  const t0 = Date.now();
  const r = await lciAsync(['deploy', '--env', 'qa', '--json', ...args], { cwd: dir, env: world.env() });
  const containers = await containersCreated(dir, t0, Date.now());
  let json: DeployJson | null = null;
  try {
    json = JSON.parse(r.stdout) as DeployJson;
  } catch {
    // the assertions say what was printed instead
  }
  return { ...r, json, containers };
}

const byName = (j: DeployJson | null) => Object.fromEntries((j?.functions ?? []).map((f) => [f.name, f]));
const layersOf = (world: AwsWorld, fn: string) => {
  const s = world.lambda.functionState(`${fn}-qa`)!;
  const served = s.versions.find((v) => v.Version === s.aliases.qa!.FunctionVersion)!;
  return (served.Layers ?? []).map((l) => l.Arn!.split(':').slice(-2).join(':'));
};

const releases = suite('monorepo: lci deploy with a shared layer');

releases.before(requireDocker);

releases(
  'the shared layer is published once, before any function that uses it, and attached by exact version; a second deploy writes nothing and reads one GetFunction per function',
  async () => {
    await AwsWorld.with(async (world) => {
      const datadog = await foreignLayer(world, 'datadog');
      await seed(world, { users: [datadog] });
      const repo = await monorepo();
      const first = await deploy(world, repo.dir);
      assert.is(first.code, 0, first.stderr + first.stdout);
      const f = byName(first.json);
      assert.equal(
        ALL.map((n) => f[n]!.status),
        Array(10).fill('PUBLISHED'),
      );
      assert.equal(
        first.json!.layers.map((l) => [l.name, l.awsName, l.status, l.version, [...l.functions].sort()]),
        [['common-py', 'common-py-qa', 'PUBLISHED', 1, [...USERS].sort()]],
      );
      const log = world.lambda.log;
      const published = log.filter((e) => e.operation === 'PublishLayerVersion' && e.path.includes('common-py-qa'));
      assert.is(published.length, 1, 'published once for seven functions');
      const at = log.indexOf(published[0]!);
      const firstUserWrite = log.findIndex(
        (e) => /^(Update|Publish(?!Layer)|Create)/.test(e.operation) && USERS.some((u) => e.path.includes(`/${u}-qa`)),
      );
      assert.ok(at < firstUserWrite, 'before any write to a function that uses it');
      for (const u of USERS.filter((u) => u !== 'users')) assert.equal(layersOf(world, u), ['common-py-qa:1'], u);
      assert.equal(
        layersOf(world, 'users'),
        ['datadog:1', 'common-py-qa:1'],
        'a layer lci does not own keeps its place; lci adds its own after it',
      );
      assert.equal(layersOf(world, 'health'), []);
      assert.equal(f['sync-bravo']!.layers, ['common-py-qa:1']);
      const served = world.lambda.functionState('sync-bravo-qa')!.versions.at(-1)!;
      assert.match(
        served.Description!,
        / \(lci code [0-9a-f]{20} layers [0-9a-f]{16} prev 1\)$/,
        'the version records its shared layers',
      );
      const key = first.json!.layers[0]!.key;
      assert.equal(
        await world.s3.keys('lambda-ci/_lci/layers/'),
        [`lambda-ci/_lci/layers/qa/common-py/${key}.zip`],
        "the shared layer's own cache",
      );
      assert.equal(await world.s3.keys('lambda-ci/_lci/deps/'), [], 'no function has dependencies of its own');
      assert.is(first.containers, 3, 'the layer, the compile, the bootstrap');

      // As on a fresh CI machine: nothing changed, nothing written, nothing built.
      rmSync(join(repo.dir, '.lci'), { recursive: true });
      world.lambda.clearLog();
      const keys = await world.s3.keys();
      const second = await deploy(world, repo.dir);
      assert.is(second.code, 0, second.stderr);
      assert.equal(
        second.json!.functions.map((x) => x.status),
        Array(10).fill('INTACT'),
      );
      assert.equal(world.mutations(), []);
      assert.equal(
        world.lambda.log.map((l) => l.operation),
        Array(10).fill('GetFunction'),
        'one GetFunction per function (its record holds the shared layers digest): no alias read, no layer listed',
      );
      assert.equal(await world.s3.keys(), keys);
      assert.is(second.containers, 0, 'built functions are recognised by their inputs, without building');
      assert.equal(second.json!.layers, []);
    });
  },
);

releases(
  'a change to the layer’s inputs: one new version, published once, every user moved to it; a function that stops listing it gets it taken off',
  async () => {
    await AwsWorld.with(async (world) => {
      await seed(world);
      const repo = await monorepo();
      assert.is((await deploy(world, repo.dir)).code, 0);
      const yaml = readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8');
      repo.commit({
        'layers/common-py/requirements.txt': '# pinned\n../../libs/dist/acme_common-1.0.0-py3-none-any.whl\n',
        'lambdas.yaml': yaml.replace(
          '    handler: orders.handler\n    functionName: "orders-${env}"\n    layers: [common-py]\n',
          '    handler: orders.handler\n    functionName: "orders-${env}"\n',
        ),
      });
      world.lambda.clearLog();
      const r = await deploy(world, repo.dir);
      assert.is(r.code, 0, r.stderr);
      const f = byName(r.json);
      assert.equal(
        ALL.map((n) => [n, f[n]!.status]),
        ALL.map((n) => [n, ['health', 'web', 'native'].includes(n) ? 'INTACT' : 'PUBLISHED']),
      );
      assert.equal(
        r.json!.layers.map((l) => [l.status, l.version]),
        [['PUBLISHED', 2]],
      );
      assert.is(
        world.lambda.log.filter((e) => e.operation === 'PublishLayerVersion').length,
        1,
        'once for six functions',
      );
      for (const u of USERS.filter((u) => u !== 'orders')) assert.equal(layersOf(world, u), ['common-py-qa:2'], u);
      assert.equal(layersOf(world, 'orders'), [], 'lci published it, so lci takes it off');
      assert.equal(f['sync-echo']!.calls, [
        'UpdateFunctionConfiguration sync-echo-qa (layers)',
        'PublishVersion sync-echo-qa',
        'UpdateAlias qa → 3',
      ]);
    });
  },
);

releases(
  'more than five layers is refused before any write: no layer published, nothing uploaded; --dry-run lists the layer once',
  async () => {
    await AwsWorld.with(async (world) => {
      const foreign: string[] = [];
      for (let i = 0; i < 5; i++) foreign.push(await foreignLayer(world, `other${i}`));
      await seed(world, { 'sync-alpha': foreign });
      const repo = await monorepo();
      const dry = await deploy(world, repo.dir, ['sync-bravo', '--dry-run']);
      assert.is(dry.code, 0, dry.stderr);
      assert.equal(
        dry.json!.layers.map((l) => [l.name, l.status]),
        [['common-py', 'PLANNED']],
      );
      assert.ok(byName(dry.json)['sync-bravo']!.calls.includes('UpdateFunctionConfiguration sync-bravo-qa (layers)'));
      world.lambda.clearLog();
      const keys = await world.s3.keys();
      const r = await deploy(world, repo.dir, ['sync-alpha']);
      // A refusal of the release plan (issue 19): bad input, exit 2, as a live configuration mismatch is.
      assert.is(r.code, 2);
      assert.match(
        byName(r.json)['sync-alpha']!.error!,
        /sync-alpha-qa would have 6 layers, Lambda allows 5: .*other4:1, common-py-qa \(shared\); .*Nothing was changed/,
      );
      assert.equal(world.mutations(), [], 'not even the shared layer');
      assert.equal(await world.s3.keys(), keys);
    });
  },
);

releases.run();
