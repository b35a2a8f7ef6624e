import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateAliasCommand,
  LambdaClient,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { Ajv } from 'ajv';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { CREDENTIALS } from './harness/s3.js';
import { requireDocker } from './harness/docker.js';
import { tempDir } from './harness/tmp.js';
import { writeWheel } from './harness/wheel.js';

// A release is a plan: lci deploy --plan-out makes it (artifacts uploaded, no Lambda write),
// lci apply carries it out exactly, and refuses (exit 2) when what it read has moved.

const plans = suite('release plans: plan, then apply');

async function lci(world: AwsWorld, cwd: string, args: string[]) {
  const r = await lciAsync([...args, '--json'], { cwd, env: world.env() });
  let json: (DeployJson & { plan?: unknown; summary?: string | null; mode?: string }) | null = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // left null: the assertions say what was printed
  }
  return { ...r, json };
}

const status = (json: DeployJson | null) => Object.fromEntries((json?.functions ?? []).map((f) => [f.name, f.status]));
const schema = JSON.parse(readFileSync(new URL('../schema/release-plan.schema.json', import.meta.url), 'utf8'));

plans(
  '--plan-out uploads the artifacts and writes no Lambda function; apply releases exactly that; applying again writes nothing',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      const file = join(tempDir(), 'plan.json');
      const planned = await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file]);
      assert.is(planned.code, 0, planned.stderr);
      assert.equal(world.mutations(), [], 'no Lambda write while planning');
      const sv = repo.head();
      assert.ok((await world.s3.keys()).includes(`lambda-ci/alpha-qa/${sv}/app.zip`), 'the artifact is uploaded');
      assert.match(planned.json!.summary!, new RegExp(`^qa @ ${sv.slice(0, 12)}: 2 to publish, 0 intact, 0 refused$`));
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
      const validate = new Ajv({ allowUnionTypes: true }).compile(schema);
      assert.ok(validate(saved), JSON.stringify(validate.errors));
      assert.is(saved.commit, sv);
      assert.equal(
        saved.functions.map((f: { name: string; action: string }) => [f.name, f.action]),
        [
          ['alpha', 'PUBLISH'],
          ['beta', 'PUBLISH'],
        ],
      );

      world.lambda.clearLog();
      const applied = await lci(world, repo.dir, ['apply', file]);
      assert.is(applied.code, 0, applied.stderr);
      assert.equal(status(applied.json), { alpha: 'PUBLISHED', beta: 'PUBLISHED' });
      assert.is(world.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '2');
      const ops = world.lambda.log.map((l) => l.operation);
      assert.not.ok(ops.includes('GetAlias'), 'the alias RevisionId comes from the plan, not a new read');
      assert.equal(ops.filter((o) => /^(Update|Publish|Create)/.test(o)).sort(), [
        'PublishVersion',
        'PublishVersion',
        'UpdateAlias',
        'UpdateAlias',
        'UpdateFunctionCode',
        'UpdateFunctionCode',
      ]);

      world.lambda.clearLog();
      const again = await lci(world, repo.dir, ['apply', file]);
      assert.is(again.code, 0, again.stderr);
      assert.equal(status(again.json), { alpha: 'APPLIED', beta: 'APPLIED' });
      assert.equal(world.mutations(), [], 'an applied plan writes nothing');
    });
  },
);

plans('--dry-run prints the same plan and writes nothing anywhere', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const r = await lci(world, repo.dir, ['deploy', '--env', 'qa', '--dry-run']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(world.mutations(), []);
    assert.equal(await world.s3.keys(), []);
    const plan = r.json!.plan as { functions: { action: string; reasons: string[] }[] };
    assert.equal(
      plan.functions.map((f) => f.action),
      ['PUBLISH', 'PUBLISH'],
    );
    assert.equal(plan.functions[0]!.reasons, ['code changed']);
  });
});

plans('an alias that moved since the plan: refused with exit 2, naming what moved; nothing written', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const file = join(tempDir(), 'plan.json');
    assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file, 'alpha'])).code, 0);
    // Someone else releases alpha meanwhile (another commit's deploy).
    repo.commit({ 'svc/alpha/app.py': 'def handler(event, context):\n    return "other"\n' }, 'other');
    assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa', 'alpha'])).code, 0);
    repo.git('checkout', '-q', 'HEAD~1');
    world.lambda.clearLog();
    const r = await lci(world, repo.dir, ['apply', file]);
    assert.is(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /alpha: alias qa moved since the plan was made: it served version 1, it serves 2 now; .*plan again/,
      r.stderr,
    );
    assert.equal(world.mutations(), []);
    assert.is(world.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '2');
  });
});

plans(
  "$LATEST changed since the plan: the first write carries the plan's RevisionId and is refused, exit 2",
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      const file = join(tempDir(), 'plan.json');
      assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file, 'beta'])).code, 0);
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
      await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'beta', MemorySize: 512 }));
      const r = await lci(world, repo.dir, ['apply', file]);
      assert.is(r.code, 2, r.stderr);
      assert.match(r.stderr, /\$LATEST of beta changed since the plan was made .*plan again/);
      assert.is(world.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '1');
      assert.is(world.lambda.functionState('beta')!.versions.length, 1, 'no version published');
    });
  },
);

plans('an artifact rewritten in S3 after the plan: refused before any version is published', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const file = join(tempDir(), 'plan.json');
    assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file, 'beta'])).code, 0);
    const key = JSON.parse(readFileSync(file, 'utf8')).functions[0].code.artifact.key as string;
    const s3 = new S3Client({
      region: 'eu-west-1',
      endpoint: world.s3.endpoint,
      forcePathStyle: true,
      credentials: CREDENTIALS,
    });
    await s3.send(
      new PutObjectCommand({
        Bucket: 'acme-artifacts',
        Key: key,
        Body: Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary'),
      }),
    );
    const r = await lci(world, repo.dir, ['apply', file]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /has CodeSha256 .*, not .* as planned; something rewrote it: plan again/);
    assert.is(world.lambda.functionState('beta')!.versions.length, 1, 'no version published');
    assert.is(world.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '1');
  });
});

plans('a plan for another lambdas.yaml, another lci, or older than --max-age is refused before any read', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const file = join(tempDir(), 'plan.json');
    assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file])).code, 0);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    world.lambda.clearLog();
    writeFileSync(join(repo.dir, 'old-lci.json'), JSON.stringify({ ...saved, lci: '0.0.1' }));
    const other = await lci(world, repo.dir, ['apply', 'old-lci.json']);
    assert.is(other.code, 2);
    assert.match(other.stderr, /made by lci 0\.0\.1, this is lci .*plan again/);
    writeFileSync(join(repo.dir, 'old.json'), JSON.stringify({ ...saved, createdAt: '2020-01-01T00:00:00.000Z' }));
    const old = await lci(world, repo.dir, ['apply', 'old.json']);
    assert.is(old.code, 2);
    assert.match(old.stderr, /older than the 168 h a plan may be applied within \(--max-age\)/);
    writeFileSync(join(repo.dir, 'lambdas.yaml'), `${readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8')}# edited\n`);
    const edited = await lci(world, repo.dir, ['apply', file]);
    assert.is(edited.code, 2);
    assert.match(edited.stderr, /made from another lambdas\.yaml/);
    writeFileSync(join(repo.dir, 'junk.json'), '{"kind":"lci-release-plan","functions":"no"}');
    const junk = await lci(world, repo.dir, ['apply', 'junk.json']);
    assert.is(junk.code, 2);
    assert.match(junk.stderr, /junk\.json is not a release plan this lci can apply/);
    assert.equal(world.lambda.log, [], 'no Lambda request');
  });
});

plans(
  'a handler changed only in lambdas.yaml is never INTACT: refused while $LATEST disagrees (exit 2), released once Terraform agrees',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa'])).code, 0);
      repo.commit(
        {
          'lambdas.yaml': readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8').replace(
            '    path: svc/beta\n',
            '    path: svc/beta\n    handler: app.main\n',
          ),
        },
        'beta: another handler',
      );
      world.lambda.clearLog();
      const refused = await lci(world, repo.dir, ['deploy', '--env', 'qa']);
      assert.is(refused.code, 2, refused.stderr);
      assert.match(
        refused.stderr,
        /handler: Terraform \(the live function\) says app\.handler, lambdas\.yaml says app\.main/,
      );
      assert.equal(world.mutations(), []);
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
      await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'beta', Handler: 'app.main' }));
      const released = await lci(world, repo.dir, ['deploy', '--env', 'qa']);
      assert.is(released.code, 0, released.stderr);
      assert.equal(status(released.json), { alpha: 'INTACT', beta: 'PUBLISHED' });
      const beta = world.lambda.functionState('beta')!;
      assert.is(beta.versions.find((v) => v.Version === beta.aliases.qa!.FunctionVersion)!.Handler, 'app.main');
    });
  },
);

plans(
  'the Apply batch: --layers-only publishes the shared layer once; each --shard then applies its share, a shard none of whose functions attach it included',
  async () => {
    await requireDocker();
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, [...QA_FUNCTIONS, { name: 'gamma', alias: 'qa' }]);
      const repo = await deployRepo({
        extra:
          '  gamma: { path: svc/gamma, descriptor: false, layers: [common] }\nlayers:\n  common: { path: layers/common, runtimes: [python3.12] }\n',
      });
      await writeWheel(join(repo.dir, 'libs/common_util-1.0.0-py3-none-any.whl'), 'common_util', '1.0.0', {
        'common_util/__init__.py': 'X = 1\n',
      });
      repo.commit(
        {
          'svc/gamma/app.py': 'import common_util\n',
          'layers/common/requirements.txt': '../../libs/common_util-1.0.0-py3-none-any.whl\n',
        },
        'gamma and its shared layer',
      );
      const file = join(tempDir(), 'plan.json');
      const planned = await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file]);
      assert.is(planned.code, 0, planned.stderr);
      assert.match(planned.json!.summary!, /: 3 to publish, 0 intact, 0 refused; shared layer common to publish$/);
      const layers = await lci(world, repo.dir, ['apply', file, '--layers-only']);
      assert.is(layers.code, 0, layers.stderr);
      const layerStatus = (json: unknown) =>
        (json as { layers: { name: string; status: string }[] }).layers.map((l) => [l.name, l.status]);
      assert.equal(layerStatus(layers.json), [['common', 'PUBLISHED']]);
      // Functions by name, every 2nd: shard 1 holds alpha and gamma (which attaches common), shard 2 beta alone.
      const one = await lci(world, repo.dir, ['apply', file, '--shard=1/2']);
      assert.is(one.code, 0, one.stderr);
      assert.equal(status(one.json), { alpha: 'PUBLISHED', gamma: 'PUBLISHED' });
      assert.equal(layerStatus(one.json), [['common', 'INTACT']], 'the version --layers-only published');
      const two = await lci(world, repo.dir, ['apply', file, '--shard=2/2']);
      assert.is(two.code, 0, two.stderr);
      assert.equal(status(two.json), { beta: 'PUBLISHED' });
      assert.equal(layerStatus(two.json), [], 'no function of this shard attaches common: not its to report');
      assert.equal(
        world.lambda.log.filter((l) => l.operation === 'PublishLayerVersion').length,
        1,
        'one layer version, published once',
      );
    });
  },
);

plans(
  'with prune: the plan lists what pruning will delete after the release; apply deletes only what the plan listed and is still unneeded',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo({ envExtra: ', prune: { keep: 2 }' });
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
      const release = async (i: number) => {
        repo.commit({ 'svc/beta/app.py': `def handler(event, context):\n    return ${i}\n` });
        const r = await lci(world, repo.dir, ['deploy', '--env', 'qa']);
        assert.is(r.code, 0, r.stderr);
      };
      assert.is((await lci(world, repo.dir, ['deploy', '--env', 'qa'])).code, 0); // beta 2
      await sdk.send(new CreateAliasCommand({ FunctionName: 'beta', Name: 'pinned', FunctionVersion: '2' }));
      await release(3);
      world.lambda.clearLog();
      await release(4);
      const listed = world.lambda.log.filter((l) => l.operation === 'ListVersionsByFunction').length;
      assert.is(listed, 1, 'a plain deploy reads versions only to prune the one function it released');
      const versionsOf = () => world.lambda.functionState('beta')!.versions.map((v) => v.Version!);
      assert.equal(versionsOf(), ['1', '2', '3', '4'], 'pinned keeps 2; qa keeps 4 and 3');

      repo.commit({ 'svc/beta/app.py': 'def handler(event, context):\n    return 5\n' });
      const dry = await lciAsync(['deploy', '--env', 'qa', '--dry-run'], { cwd: repo.dir, env: world.env() });
      assert.is(dry.code, 0, dry.stderr);
      assert.match(
        dry.stdout,
        /\nbeta would:\n( {2}.*\n)* {2}prune after release: 1 version, 0 layer versions, \d+ S3 objects?\n/,
      );
      const file = join(tempDir(), 'plan.json');
      const planned = await lci(world, repo.dir, ['deploy', '--env', 'qa', '--plan-out', file]);
      assert.is(planned.code, 0, planned.stderr);
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { functions: { name: string; prune: unknown }[] };
      const validate = new Ajv({ allowUnionTypes: true }).compile(schema);
      assert.ok(validate(saved), JSON.stringify(validate.errors));
      const forecast = Object.fromEntries(saved.functions.map((f) => [f.name, f.prune]));
      assert.equal(forecast.alpha, null, 'alpha is not published: nothing forecast');
      assert.equal(
        (forecast.beta as { versions: string[] }).versions,
        ['3'],
        'after the release qa keeps 5 and 4 (its rollback target); pinned keeps 2',
      );
      assert.equal(versionsOf(), ['1', '2', '3', '4'], 'planning deletes nothing');

      // Between plan and apply: 2 is no longer needed (pinned moves off it), 3 is (pinned routes traffic to it).
      await sdk.send(
        new UpdateAliasCommand({
          FunctionName: 'beta',
          Name: 'pinned',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { 3: 0.1 } },
        }),
      );
      const applied = await lci(world, repo.dir, ['apply', file]);
      assert.is(applied.code, 0, applied.stderr);
      const beta = (
        applied.json!.functions as { name: string; status: string; pruned?: { versions: string[] } }[]
      ).find((f) => f.name === 'beta')!;
      assert.is(beta.status, 'PUBLISHED');
      assert.equal(beta.pruned?.versions, []);
      assert.equal(
        versionsOf(),
        ['1', '2', '3', '4', '5'],
        '2 stays (the plan did not list it), 3 stays (an alias routes to it now)',
      );
    });
  },
);

plans.run();
