import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { deployRepo, QA_FUNCTIONS, seedFunctions, type DeployJson } from './harness/deploy-fixture.js';
import { containersCreated, requireDocker } from './harness/docker.js';
import { CREDENTIALS, S3Server } from './harness/s3.js';
import { closeServer, listenLocal } from './harness/http-server.js';

// lci deploy as a child process, against a real S3 server (s3rver) and the Lambda/CloudWatch
// stand-ins, all over HTTP through the unmodified AWS SDK.

async function deploy(world: AwsWorld, cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  const r = await lciAsync(['deploy', '--env', 'qa', '--json', ...args], { cwd, env: world.env(env) });
  let json: DeployJson | null = null;
  try {
    json = JSON.parse(r.stdout) as DeployJson;
  } catch {
    // left null: the assertions below say what was printed instead
  }
  return { ...r, json };
}

function byName(json: DeployJson | null) {
  return Object.fromEntries((json?.functions ?? []).map((f) => [f.name, f]));
}

const basic = suite('deploy: publish, then nothing');

basic(
  'the first deploy publishes every function; the second reads each function once (GetFunction) and writes nothing',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      const first = await deploy(world, repo.dir);
      assert.is(first.code, 0, first.stderr);
      const f = byName(first.json);
      assert.is(f.alpha!.status, 'PUBLISHED');
      assert.is(f.alpha!.version, '2');
      assert.is(f.alpha!.previousVersion, '1');
      const state = world.lambda.functionState('alpha-qa')!;
      assert.is(state.aliases.qa!.FunctionVersion, '2');
      const v2 = state.versions.find((v) => v.Version === '2')!;
      assert.is(v2.CodeSha256, f.alpha!.code.sha256, 'the published version runs the zip lci built');
      assert.match(
        v2.Description!,
        new RegExp(`^${repo.head()} \\(lci code [0-9a-f]{20} prev 1\\)$`),
        'the version records its source version, code fingerprint and the version served before it',
      );
      const sv = repo.head();
      assert.equal(await world.s3.keys('lambda-ci/alpha-qa/'), [
        `lambda-ci/alpha-qa/${sv}/app.zip`,
        'lambda-ci/alpha-qa/latest/app.zip',
      ]);

      const keysBefore = await world.s3.keys();
      world.lambda.clearLog();
      rmSync(join(repo.dir, '.lci'), { recursive: true }); // as on a fresh CI machine
      const second = await deploy(world, repo.dir);
      assert.is(second.code, 0, second.stderr);
      assert.equal(
        second.json!.functions.map((x) => x.status),
        ['INTACT', 'INTACT'],
      );
      assert.equal(world.mutations(), [], 'no Lambda writes');
      assert.equal(
        world.lambda.log.map((l) => `${l.operation} ${l.path}`).sort(),
        [
          'GetFunction /2015-03-31/functions/alpha-qa?Qualifier=qa',
          'GetFunction /2015-03-31/functions/beta?Qualifier=qa',
        ],
        'one GetFunction of the alias per function, nothing else',
      );
      assert.equal(await world.s3.keys(), keysBefore, 'no S3 writes');
      assert.not.ok(
        existsSync(join(repo.dir, '.lci/dist/alpha/app.zip')),
        'unchanged code is recognised by its fingerprint, without zipping',
      );
    });
  },
);

basic('a code change in one function releases only that function', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    assert.is((await deploy(world, repo.dir)).code, 0);
    repo.commit({ 'svc/beta/app.py': 'def handler(event, context):\n    return "beta 2"\n' });
    world.lambda.clearLog();
    const r = await deploy(world, repo.dir);
    assert.is(r.code, 0, r.stderr);
    const f = byName(r.json);
    assert.equal([f.alpha!.status, f.beta!.status], ['INTACT', 'PUBLISHED']);
    assert.equal(f.beta!.calls, ['UpdateFunctionCode beta', 'PublishVersion beta', 'UpdateAlias qa → 3']);
    assert.equal(world.mutations(), ['UpdateFunctionCode', 'PublishVersion', 'UpdateAlias']);
  });
});

basic('lci build then lci deploy zips each function once: deploy takes the zip build wrote', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const built = await lciAsync(['build', '--env', 'qa', '--json'], { cwd: repo.dir });
    assert.is(built.code, 0, built.stderr);
    const zip = join(repo.dir, '.lci/dist/alpha/app.zip');
    const before = statSync(zip);
    // A zip that no longer matches what its manifest recorded is never trusted: it is written again.
    writeFileSync(join(repo.dir, '.lci/dist/beta/app.zip'), 'not a zip');
    const r = await deploy(world, repo.dir);
    assert.is(r.code, 0, r.stderr);
    const f = byName(r.json);
    assert.equal(
      [f.alpha!.status, f.alpha!.code.zip, f.beta!.status, f.beta!.code.zip],
      ['PUBLISHED', 'reused', 'PUBLISHED', 'written'],
    );
    const after = statSync(zip);
    assert.equal([after.ino, after.mtimeMs], [before.ino, before.mtimeMs], 'the zip file was not written again');
    assert.is(
      f.alpha!.code.sha256,
      (JSON.parse(built.stdout) as { functions: { name: string; code: { sha256: string } }[] }).functions[0]!.code
        .sha256,
    );
    assert.is(world.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '2');
  });
});

basic('--dry-run reads, says what it would do, and writes nothing', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const r = await deploy(world, repo.dir, ['--dry-run']);
    assert.is(r.code, 0, r.stderr);
    assert.equal(
      r.json!.functions.map((x) => x.status),
      ['PLANNED', 'PLANNED'],
    );
    assert.equal(byName(r.json).alpha!.calls, [
      'upload app.zip',
      'UpdateFunctionCode alpha-qa',
      'PublishVersion alpha-qa',
      'UpdateAlias qa',
    ]);
    assert.equal(world.mutations(), []);
    assert.equal(await world.s3.keys(), []);
    assert.is(world.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '1');
  });
});

basic('a missing function fails that function only, saying how to create it', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, [{ name: 'beta', alias: 'qa' }]);
    const repo = await deployRepo();
    const r = await deploy(world, repo.dir);
    assert.is(r.code, 1);
    const f = byName(r.json);
    assert.is(f.beta!.status, 'PUBLISHED');
    assert.is(f.alpha!.status, 'FAILED');
    assert.match(
      r.stderr,
      /lci: function alpha \(alpha-qa\): function alpha-qa does not exist in region .*; create it first/,
    );
  });
});

basic('an S3 failure says which object, and releases nothing', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    repo.commit({
      'lambdas.yaml': `${repo.git('show', 'HEAD:lambdas.yaml')}\n`.replace(
        'bucket: acme-artifacts',
        'bucket: no-such-bucket',
      ),
    });
    const r = await deploy(world, repo.dir, ['beta']);
    assert.is(r.code, 1);
    assert.match(
      r.stderr,
      /lci: function beta \(beta\): uploading to s3:\/\/no-such-bucket\/lambda-ci\/beta\/[0-9a-f]{40}\/app\.zip failed: NoSuchBucket: .*; nothing was released/,
    );
    assert.equal(world.mutations(), []);
  });
});

basic(
  'the copy to latest/ runs while the code update settles; when S3 refuses it, no version is published and the alias stays',
  async () => {
    const s3 = await S3Server.start();
    try {
      s3.deny((r) => r.copySource !== null && r.key === 'lambda-ci/beta/latest/app.zip');
      await AwsWorld.with(
        async (world) => {
          await seedFunctions(world, QA_FUNCTIONS);
          const repo = await deployRepo();
          const r = await deploy(world, repo.dir, ['beta']);
          assert.is(r.code, 1, r.stderr);
          assert.match(
            r.stderr,
            /lci: function beta \(beta\): copying to s3:\/\/acme-artifacts\/lambda-ci\/beta\/latest\/app\.zip failed: AccessDenied: Access Denied; nothing was released/,
          );
          assert.equal(world.mutations(), ['UpdateFunctionCode'], 'the code was updated, nothing published');
          assert.is(world.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '1', 'the alias stays');
          assert.equal(byName(r.json).beta!.s3, [`s3://acme-artifacts/lambda-ci/beta/${repo.head()}/app.zip`]);
        },
        { s3 },
      );
    } finally {
      await s3.close();
    }
  },
);

basic('--fail-fast starts nothing after the first failure', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, [{ name: 'beta', alias: 'qa' }]);
    const repo = await deployRepo();
    const r = await deploy(world, repo.dir, ['--fail-fast', '--concurrency', '1']);
    assert.is(r.code, 1);
    assert.equal(
      r.json!.functions.map((x) => x.status),
      ['FAILED', 'FAILED'],
    );
    assert.match(byName(r.json).beta!.error!, /not started/);
    assert.equal(world.mutations(), []);
  });
});

basic('--env auto follows the CI ref; an unmatched ref is a usage error', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, [
      { name: 'alpha-prod', alias: 'live' },
      { name: 'beta', alias: 'live' },
    ]);
    const repo = await deployRepo();
    const r = await lciAsync(['deploy', '--env', 'auto', '--json'], {
      cwd: repo.dir,
      env: world.env({ CODEBUILD_WEBHOOK_TRIGGER: 'tag/v1.2.0', CODEBUILD_RESOLVED_SOURCE_VERSION: 'v1.2.0' }),
    });
    assert.is(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as DeployJson;
    assert.is(json.env, 'prod');
    assert.is(json.sourceVersion, 'v1.2.0');
    assert.is(world.lambda.functionState('alpha-prod')!.aliases.live!.FunctionVersion, '2');
    const bad = await lciAsync(['deploy', '--env', 'auto'], {
      cwd: repo.dir,
      env: world.env({ GITHUB_REF: 'refs/heads/feature/x' }),
    });
    assert.is(bad.code, 2);
    assert.match(bad.stderr, /--env auto: no environment deploys branch feature\/x \(GITHUB_REF\)/);
  });
});

basic('a large package goes up in multipart, and Lambda computes the same CodeSha256 from S3', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    // Incompressible and stored as is (.png): a 12 MB zip, more than one 8 MB part.
    let block = createHash('sha512').update('seed').digest();
    const parts: Buffer[] = [];
    for (let n = 0; n < 12 * 1024 * 1024; n += 64) parts.push((block = createHash('sha512').update(block).digest()));
    writeFileSync(join(repo.dir, 'svc/alpha/model.png'), Buffer.concat(parts));
    repo.commit({}, 'a model');
    const r = await deploy(world, repo.dir, ['alpha']);
    assert.is(r.code, 0, r.stderr);
    const alpha = byName(r.json).alpha!;
    const v = world.lambda.functionState('alpha-qa')!.versions.find((x) => x.Version === alpha.version)!;
    assert.is(v.CodeSha256, alpha.code.sha256);
    assert.ok(v.CodeSize! > 12_000_000);
  });
});

basic("an update that ends Failed stops the deploy with Lambda's reason; the alias stays", async () => {
  await AwsWorld.with(
    async (world) => {
      await seedFunctions(world, QA_FUNCTIONS);
      const repo = await deployRepo();
      world.lambda.failNextUpdate('beta', 'The ENI for the function could not be created', 'EniLimitExceeded');
      const r = await deploy(world, repo.dir, ['beta']);
      assert.is(r.code, 1);
      assert.match(
        r.stderr,
        /the update of beta failed: The ENI for the function could not be created \(EniLimitExceeded\); the alias was not moved/,
      );
      assert.is(world.lambda.functionState('beta')!.aliases.qa!.FunctionVersion, '1');
    },
    { updateDelayMs: 50 },
  );
});

const around = suite('deploy: status, rollback, plan --since deployed, Slack');

around('status shows what each alias serves; rollback moves it back under its RevisionId', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    await deploy(world, repo.dir);
    repo.commit({ 'svc/alpha/app.py': 'def handler(event, context):\n    return "alpha 2"\n' });
    await deploy(world, repo.dir);
    const status = await lciAsync(['status', '--env', 'qa', '--json'], { cwd: repo.dir, env: world.env() });
    assert.is(status.code, 0, status.stderr);
    const rows = (
      JSON.parse(status.stdout) as {
        schemaVersion: number;
        functions: { name: string; version: string; sourceVersion: string; status: string }[];
      }
    ).functions;
    assert.equal(
      rows.map((s) => [s.name, s.status, s.version, s.sourceVersion]),
      [
        ['alpha', 'DEPLOYED', '3', repo.head()],
        ['beta', 'DEPLOYED', '2', repo.git('rev-parse', 'HEAD~1')],
      ],
    );
    const back = await lciAsync(['rollback', 'alpha', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
    assert.is(back.code, 0, back.stderr);
    assert.is(back.stdout.trim(), 'alpha-qa: alias qa moved from 3 to 2');
    assert.is(world.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '2');
    const forward = await lciAsync(['rollback', 'alpha', '--env', 'qa', '--to', '3'], {
      cwd: repo.dir,
      env: world.env(),
    });
    assert.is(forward.code, 0, forward.stderr);
    assert.is(world.lambda.functionState('alpha-qa')!.aliases.qa!.FunctionVersion, '3');
    const json = await lciAsync(['rollback', 'alpha', '--env', 'qa', '--to', '2', '--json'], {
      cwd: repo.dir,
      env: world.env(),
    });
    assert.equal(JSON.parse(json.stdout), {
      schemaVersion: 1,
      command: 'rollback',
      name: 'alpha',
      awsName: 'alpha-qa',
      env: 'qa',
      alias: 'qa',
      status: 'ROLLED_BACK',
      from: { version: '3', weights: {} },
      to: '2',
      reason: 'GIVEN',
    });
    await lciAsync(['rollback', 'alpha', '--env', 'qa', '--to', '3'], { cwd: repo.dir, env: world.env() });
    const unknown = await lciAsync(['status', '--env', 'staging'], { cwd: repo.dir, env: world.env() });
    assert.is(unknown.code, 2, 'an environment that does not exist is bad input, not an empty table');
    assert.match(unknown.stderr, /^lci: --env staging: no such environment; declared: qa, prod/);
    const table = await lciAsync(['status', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
    assert.match(
      table.stdout,
      /^FUNCTION\s+ENV\s+AWS NAME\s+ALIAS\s+SOURCE\s+LAYER\s+CODE\s+LAST MODIFIED\s+STORAGE\s+SHIFTING\nalpha\s+qa\s+alpha-qa\s+qa → 3\s+[0-9a-f]{12}\s+-\s+\S{10}\s+\S+\s+copy \d+ B\s+-\n/,
    );
  });
});

around('plan --since deployed compares each function with the source version its alias serves', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, [...QA_FUNCTIONS, { name: 'delta', alias: 'qa' }]);
    const repo = await deployRepo();
    await deploy(world, repo.dir);
    repo.commit({
      'svc/alpha/app.py': '# changed\n',
      'lambdas.yaml':
        repo.git('show', 'HEAD:lambdas.yaml') + '\n  delta:\n    path: svc/delta\n    descriptor: false\n',
      'svc/delta/app.py': '#\n',
    });
    const r = await lciAsync(['plan', '--since', 'deployed', '--env', 'qa', '--json'], {
      cwd: repo.dir,
      env: world.env(),
    });
    assert.is(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as {
      base: string;
      functions: { name: string; affected: boolean; base?: string; reasons: { rule: string }[] }[];
    };
    assert.is(plan.base, 'deployed');
    const f = Object.fromEntries(plan.functions.map((x) => [x.name, x]));
    assert.is(f.alpha!.affected, true);
    assert.is(f.alpha!.base, repo.git('rev-parse', 'HEAD~1'));
    assert.is(f.beta!.affected, false);
    assert.equal(
      f.delta!.reasons.map((x) => x.rule),
      ['never-deployed'],
    );
  });
});

around('Slack gets a summary; a failing webhook warns without failing the deploy or printing the URL', async () => {
  const world = await AwsWorld.start();
  const received: string[] = [];
  let status = 200;
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(status).end();
    });
  });
  const url = `${await listenLocal(hook)}/services/T000/B000/secret-token`;
  try {
    await seedFunctions(world, QA_FUNCTIONS);
    const repo = await deployRepo();
    const ok = await deploy(world, repo.dir, [], { SLACK_WEBHOOK_URL: url });
    assert.is(ok.code, 0, ok.stderr);
    assert.is(received.length, 1);
    const text = (JSON.parse(received[0]!) as { text: string }).text;
    assert.match(text, /lci deployed [0-9a-f]{12} to qa/);
    assert.match(text, /alpha-qa: version 2 \(was 1\)/);
    status = 500;
    repo.commit({ 'svc/beta/app.py': '# again\n' });
    const warned = await deploy(world, repo.dir, [], { SLACK_WEBHOOK_URL: url });
    assert.is(warned.code, 0, 'a notification never fails a deploy');
    assert.match(
      warned.stderr,
      /lci: warning: Slack notification not sent: Slack answered HTTP 500; the deploy result stands/,
    );
    assert.not.ok(
      `${warned.stdout}${warned.stderr}${ok.stdout}${ok.stderr}`.includes('secret-token'),
      'the webhook URL is never printed',
    );
  } finally {
    await closeServer(hook);
    await world.close();
  }
});

const layers = suite('deploy: dependency layers (real Docker)');

layers.before(requireDocker);

layers(
  'a layer is built once, published with its key, attached beside other layers; then reused from its S3 cache without Docker',
  async () => {
    await AwsWorld.with(async (world) => {
      await seedFunctions(world, [...QA_FUNCTIONS, { name: 'gamma', alias: 'qa' }]);
      // A layer lci does not own stays attached, in its place.
      const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
      const foreign = await sdk.send(
        new PublishLayerVersionCommand({
          LayerName: 'datadog',
          Content: { ZipFile: new Uint8Array(Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary')) },
        }),
      );
      await sdk.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'gamma', Layers: [foreign.LayerVersionArn!] }),
      );
      const repo = await deployRepo({ deps: true });
      const t0 = Date.now();
      const r = await deploy(world, repo.dir);
      assert.is(r.code, 0, r.stderr);
      const gamma = byName(r.json).gamma!;
      assert.equal(gamma.calls, [
        'PublishLayerVersion gamma-deps',
        'UpdateFunctionConfiguration gamma (layers)',
        'UpdateFunctionCode gamma',
        'PublishVersion gamma',
        'UpdateAlias qa → 2',
      ]);
      assert.is(await containersCreated(repo.dir, t0, Date.now()), 1);
      const live = world.lambda.functionState('gamma')!.versions.find((v) => v.Version === '2')!;
      assert.equal(
        live.Layers!.map((l) => l.Arn!.split(':').slice(-2).join(':')),
        ['datadog:1', 'gamma-deps:1'],
      );
      const [layer] = world.lambda.layerVersions('gamma-deps');
      // the key, and the digest of the zip lci checked: what a cached zip is trusted by next time
      assert.is(
        layer!.Description!,
        `lci deps ${/[0-9a-f]{32}/.exec(layer!.Description!)![0]} zip ${layer!.Content!.CodeSha256} from ${repo.head()}`,
      );
      const keys = await world.s3.keys('lambda-ci/');
      assert.ok(
        keys.some((k) => /^lambda-ci\/_lci\/deps\/qa\/gamma\/[0-9a-f]{32}\.zip$/.test(k)),
        keys.join(' '),
      );
      assert.ok(keys.includes('lambda-ci/gamma/latest/requirements.txt'), 'the descriptor is cached after success');
      assert.ok(keys.includes(`lambda-ci/gamma/${repo.head()}/deps.zip`));
      const key = /^lci deps ([0-9a-f]{32}) /.exec(layer!.Description!)![1]!;
      assert.match(
        live.Description!,
        new RegExp(`^${repo.head()} \\(lci code [0-9a-f]{20} deps ${key}( prev [0-9]+)?\\)$`),
        'the version records the key of its layer',
      );

      // Nothing changed: one GetFunction decides it (the version's record names the layer's key, the layer is attached).
      world.lambda.clearLog();
      const noop = await deploy(world, repo.dir, ['gamma']);
      assert.is(noop.code, 0, noop.stderr);
      assert.equal(byName(noop.json).gamma!.layer, { action: 'intact', version: 1 });
      assert.equal(
        world.lambda.log.map((l) => l.operation),
        ['GetFunction'],
      );

      // Its layer version deleted (Lambda keeps a copy for the functions that use it): a code change
      // keeps the attached version, read from the serving version's record, with no layer list.
      await sdk.send(new DeleteLayerVersionCommand({ LayerName: 'gamma-deps', VersionNumber: 1 }));
      repo.commit({ 'svc/gamma/app.py': 'import acme\nVERSION = 1\n' });
      world.lambda.clearLog();
      const kept = await deploy(world, repo.dir, ['gamma']);
      assert.is(kept.code, 0, kept.stderr);
      assert.equal(byName(kept.json).gamma!.layer, { action: 'intact', version: 1 });
      assert.not.ok(world.lambda.log.some((l) => l.operation === 'ListLayerVersions'));

      // Someone took the layer off and served that: a fresh checkout (no .lci) must publish the layer
      // again. The zip in this function's S3 cache is one no layer version records any more (version
      // 1 was deleted), so it is not trusted: built again, once.
      /** The alias on a new version with these layers only (ours taken off by hand). */
      const serveWith = async (layers: string[]) => {
        await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'gamma', Layers: layers }));
        const bare = await sdk.send(new PublishVersionCommand({ FunctionName: 'gamma' }));
        await sdk.send(new UpdateAliasCommand({ FunctionName: 'gamma', Name: 'qa', FunctionVersion: bare.Version! }));
      };
      await serveWith([foreign.LayerVersionArn!]);
      const clone = await deployRepo({ deps: true });
      clone.commit({ 'svc/gamma/app.py': 'import acme\nVERSION = 2\n' });
      const t1 = Date.now();
      const again = await deploy(world, clone.dir, ['gamma']);
      assert.is(again.code, 0, again.stderr);
      assert.is(byName(again.json).gamma!.layer.action, 'publish');
      assert.is(
        await containersCreated(clone.dir, t1, Date.now()),
        1,
        'the cached zip no published version records is built again',
      );
      // Now version 2 carries the key (and records the zip). A newer version with another key does
      // not hide it: the release attaches version 2, the one version of this key (issue 19), with
      // no container and no publish.
      await serveWith([]);
      await sdk.send(
        new PublishLayerVersionCommand({
          LayerName: 'gamma-deps',
          Description: `lci deps ${'b'.repeat(32)} from elsewhere`,
          Content: { ZipFile: new Uint8Array(Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary')) },
        }),
      );
      const clone2 = await deployRepo({ deps: true });
      clone2.commit({ 'svc/gamma/app.py': 'import acme\nVERSION = 3\n' });
      world.lambda.clearLog();
      const t2 = Date.now();
      const reused = await deploy(world, clone2.dir, ['gamma']);
      assert.is(reused.code, 0, reused.stderr);
      assert.equal(byName(reused.json).gamma!.layer, { action: 'attach', version: 2 });
      assert.is(await containersCreated(clone2.dir, t2, Date.now()), 0, 'no Docker run');
      assert.not.ok(world.mutations().includes('PublishLayerVersion'), 'one layer version per key');
    });
  },
);

layers('more than 5 layers fails before any Lambda write, naming them', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, [{ name: 'gamma', alias: 'qa' }]);
    const sdk = new LambdaClient({ region: 'eu-west-1', endpoint: world.lambda.endpoint, credentials: CREDENTIALS });
    const arns: string[] = [];
    for (let i = 0; i < 5; i++)
      arns.push(
        (
          await sdk.send(
            new PublishLayerVersionCommand({
              LayerName: `other${i}`,
              Content: { ZipFile: new Uint8Array(Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary')) },
            }),
          )
        ).LayerVersionArn!,
      );
    await sdk.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'gamma', Layers: arns }));
    const repo = await deployRepo({ deps: true });
    world.lambda.clearLog();
    const r = await deploy(world, repo.dir, ['gamma']);
    // A refusal of the release plan (issue 19): bad input, exit 2, as a live configuration mismatch is.
    assert.is(r.code, 2);
    assert.match(r.stderr, /gamma would have 6 layers, Lambda allows 5/);
    assert.equal(world.mutations(), []);
    assert.is(world.lambda.functionState('gamma')!.aliases.qa!.FunctionVersion, '1');
  });
});

basic.run();
around.run();
layers.run();
