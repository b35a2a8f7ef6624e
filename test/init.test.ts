import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { LCI_BIN, lci, lciAsync } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { closeServer, listenLocal } from './harness/http-server.js';
import { type InitFixture, SAM_APP, SERVERLESS_SERVICE, TERRAFORM_MODULE } from './harness/init-fixtures.js';
import { LambdaStandin } from './harness/lambda-standin.js';
import { tempDir } from './harness/tmp.js';

const test = suite('lci init');

function affected(repo: GitRepo, args: string[]): string[] {
  const r = lci(['plan', ...args, '--json'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { functions: { name: string; affected: boolean }[] }).functions
    .filter((f) => f.affected)
    .map((f) => f.name)
    .sort();
}

/** init → validate → plan over the fixture's commits: the functions each commit affects are the expected ones. */
function initValidatePlan(fixture: InitFixture): { repo: GitRepo; report: string; config: string } {
  const repo = GitRepo.create(fixture.tree);
  const init = lci(['init'], { cwd: repo.dir });
  assert.is(init.code, 0, `${init.stdout}\n${init.stderr}`);
  const validate = lci(['validate'], { cwd: repo.dir });
  assert.is(validate.code, 0, validate.stderr);
  assert.match(validate.stdout, /^lambdas\.yaml: ok/);
  repo.commit({}, 'lci init');
  assert.equal(affected(repo, ['--all']), fixture.functions);
  for (const step of fixture.steps) {
    repo.commit(step.change, step.message);
    assert.equal(affected(repo, ['--base', 'HEAD~1']), step.affected, step.message);
  }
  return { repo, report: init.stdout, config: readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8') };
}

test('SAM app (nested stacks, Globals, a shared layer, a TypeScript function): init, validate, plan over commits', () => {
  const { report, config } = initValidatePlan(SAM_APP);
  const written = parseYaml(config) as Record<string, any>;
  // Three sibling directories of one shape, and nothing else beside them: a family.
  assert.equal(written.functions['*'], {
    pathPattern: 'functions/*',
    runtime: 'python3.12',
    architecture: 'arm64',
    handler: 'app.handler',
    layers: ['common'],
    functionName: 'shop-${env}-${dir}',
  });
  // The layer reached through the nested stacks' Outputs and Parameters.
  assert.equal(written.layers.common, {
    path: 'layers/common',
    runtimes: ['python3.12'],
    architectures: ['arm64'],
    layerName: 'shop-${env}-common',
  });
  // Two functions of one directory: one path, their own handlers.
  assert.is(written.functions['reports-daily'].path, 'reports');
  assert.is(written.functions['reports-daily'].handler, 'daily.handler');
  assert.is(written.functions['reports-monthly'].path, 'reports');
  assert.is(written.functions['reports-monthly'].handler, 'monthly.handler');
  assert.is(written.functions['reports-monthly'].functionName, 'ReportsMonthlyFunction-${env}');
  assert.match(
    config,
    /# lci init: a guess: CloudFormation names this function <stack>-ReportsMonthlyFunction-<suffix>/,
  );
  // SAM's esbuild build as a build.command; the bundle carries the dependencies.
  assert.equal(written.functions.web.build, {
    command:
      'npm ci --no-audit --no-fund && npx --no-install esbuild app.ts --bundle --platform=node --outdir=dist --target=es2022 --minify --sourcemap',
    output: 'dist',
  });
  assert.is(written.functions.web.descriptor, false);
  assert.equal(written.artifacts, { bucket: 'shop-sam-artifacts', region: 'eu-west-1' });
  assert.equal(written.environments, { qa: { branch: 'main' }, prod: { tag: 'v*' } });
  assert.match(report, /Resources\.HealthFunction: inline code \(Code\.ZipFile\)/);
  assert.match(report, /Resources\.ThumbnailFunction: a container image/);
  assert.match(report, /Resources\.LegacyFunction: CodeUri s3:\/\/shop-builds\/legacy-1\.4\.zip is in S3/);
  assert.match(
    report,
    /Resources\.RegionalFunction: CodeUri: \$\{AWS::Region\} in !Sub: !Ref AWS::Region: the region is known only when the stack is deployed/,
  );
  assert.match(report, /stacks\/api\.json Resources\.OrdersFunction \(stack ApiStack\)/);
});

test('serverless.yml service: init, validate, plan over commits', () => {
  const { report, config } = initValidatePlan(SERVERLESS_SERVICE);
  const written = parseYaml(config) as Record<string, any>;
  assert.equal(written.defaults, { runtime: 'python3.12', architecture: 'arm64', layers: ['common'] });
  assert.equal(written.functions['create-order'], {
    path: 'services/shop',
    handler: 'src/orders/create.handler',
    exclude: ['tests/**', 'node_modules/**'],
    functionName: 'shop-api-${env}-createOrder',
  });
  // package.patterns that keep one directory make it the path, the handler and descriptor relative to it.
  assert.equal(written.functions.worker, {
    path: 'services/shop/src/worker',
    handler: 'main.handler',
    descriptor: '../../requirements.txt',
    functionName: 'shop-api-${env}-worker',
  });
  assert.equal(written.layers.common.path, 'services/shop/layers/common');
  assert.is(written.artifacts.bucket, 'shop-sls-artifacts');
  assert.match(report, /functions\.thumbnail: a container image/);
  assert.match(report, /functions\.legacy: package\.artifact: a zip built outside the repository/);
});

test('Terraform module with archive_file, for_each and a local module: init, validate, plan over commits', () => {
  const { report, config } = initValidatePlan(TERRAFORM_MODULE);
  const written = parseYaml(config) as Record<string, any>;
  assert.equal(written.functions.orders, {
    path: 'src/orders',
    runtime: 'python3.12',
    handler: 'app.handler',
    exclude: ['tests/**'],
    layers: ['common'],
    functionName: 'acme-orders-${env}',
  });
  assert.equal(written.functions['*'].pathPattern, 'src/jobs/*');
  assert.is(written.functions['*'].functionName, 'acme-${dir}-${env}');
  assert.equal(written.functions.reports, {
    path: 'src/reports',
    runtime: 'python3.13',
    handler: 'app.handler',
    functionName: 'reports-${env}',
  });
  assert.equal(written.layers.common.build, {
    command: 'mkdir -p .lci-layer && cp -R python .lci-layer/',
    output: '.lci-layer',
  });
  assert.match(report, /aws_lambda_function\.payments: filename 'dist\/payments\.zip' is not in the repository/);
  assert.match(report, /aws_lambda_function\.resize: a container image/);
  assert.match(config, /# lci init: a placeholder: no source names a bucket/);
});

test('an existing config is never replaced without --force (exit 2); --dry-run prints what init would write', () => {
  const repo = GitRepo.create({ ...TERRAFORM_MODULE.tree, 'lambdas.yaml': 'version: 1\n# mine\n' });
  const refused = lci(['init'], { cwd: repo.dir });
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /^lci: lambdas\.yaml exists; lci init does not overwrite it: pass --force/);
  assert.is(readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8'), 'version: 1\n# mine\n');
  const dry = lci(['init', '--dry-run', '--bucket', 'acme-artifacts'], { cwd: repo.dir });
  assert.is(dry.code, 0, dry.stderr);
  assert.is(readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8'), 'version: 1\n# mine\n');
  assert.match(dry.stderr, /would write lambdas\.yaml: 4 functions/);
  const forced = lci(['init', '--force', '--bucket', 'acme-artifacts'], { cwd: repo.dir });
  assert.is(forced.code, 0, forced.stderr);
  assert.is(readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8').trimEnd(), dry.stdout.trimEnd());
  // Another of lci's config names in the directory counts as a config too.
  const other = GitRepo.create({ ...TERRAFORM_MODULE.tree, '.lcirc.yaml': 'version: 1\n' });
  const r = lci(['init'], { cwd: other.dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /\.lcirc\.yaml \(lci's config in this directory\) exists/);
  assert.not.ok(existsSync(join(other.dir, 'lambdas.yaml')));
});

test('flags: environments, --from, --bucket, --config; refusals are one line, exit 2', () => {
  const repo = GitRepo.create({ ...SERVERLESS_SERVICE.tree, ...TERRAFORM_MODULE.tree });
  const r = lci(
    [
      'init',
      '--from',
      'terraform',
      '--env-names',
      'staging,live',
      '--qa-branch',
      'develop',
      '--prod-tag',
      'release-*',
      '--bucket',
      'acme-artifacts',
      '-c',
      'deploy/lambdas.yaml',
    ],
    { cwd: repo.dir },
  );
  assert.is(r.code, 0, r.stderr);
  const written = parseYaml(readFileSync(join(repo.dir, 'deploy/lambdas.yaml'), 'utf8')) as Record<string, any>;
  assert.equal(written.environments, { staging: { branch: 'develop' }, live: { tag: 'release-*' } });
  assert.is(written.artifacts.bucket, 'acme-artifacts');
  assert.is(written.functions.orders.path, '../src/orders');
  assert.not.ok('create-order' in written.functions, 'only terraform was read');
  assert.is(lci(['validate', '-c', 'deploy/lambdas.yaml'], { cwd: repo.dir }).code, 0);
  const one = lci(['init', '--dry-run', '--from', 'serverless', '--env-names', 'dev'], { cwd: repo.dir });
  assert.is(one.code, 0, one.stderr);
  assert.equal((parseYaml(one.stdout) as Record<string, any>).environments, { dev: { branch: 'main' } });
  const json = lci(['init', '--dry-run', '--json', '--from', 'serverless'], { cwd: repo.dir });
  assert.is(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as Record<string, any>;
  assert.equal([doc.schemaVersion, doc.command, doc.status, doc.written], [1, 'init', 'DRY_RUN', false]);
  assert.equal(
    doc.functions.map((f: { name: string }) => f.name),
    ['create-order', 'list-orders', 'worker'],
  );
  assert.equal(
    doc.unmapped.map((u: { from: { at: string } }) => u.from.at),
    ['functions.thumbnail', 'functions.legacy'],
  );
  const text = lci(['init', '--dry-run', '--from', 'serverless'], { cwd: repo.dir });
  assert.is(doc.yaml.trimEnd(), text.stdout.trimEnd());
  for (const [args, message] of [
    [['--from', 'cdk'], /^lci: --from cdk: one of sam, serverless, terraform, auto$/m],
    [['--env-names', 'QA'], /^lci: --env-names QA: one or two different names/m],
    [['--env-names', 'dev', '--prod-tag', 'v*'], /^lci: --prod-tag: --env-names dev declares no tag environment/m],
    [['--from', 'sam'], /^lci: no SAM or CloudFormation template .* lci init can read under the repository/m],
    [['--profile', 'x'], /^lci: --profile and --endpoint-url are for --aws/m],
  ] as const) {
    const bad = lci(['init', '--dry-run', ...args], { cwd: repo.dir });
    assert.is(bad.code, 2, args.join(' '));
    assert.match(bad.stderr, message);
    assert.not.match(bad.stderr, /\n\s+at /);
  }
  const outside = tempDir();
  writeFileSync(join(outside, 'template.yaml'), 'Resources: {}\n');
  const noGit = lci(['init'], { cwd: outside });
  assert.is(noGit.code, 2);
  assert.match(noGit.stderr, /^lci: lci init reads the files git tracks: run it inside a git repository/);
});

test('hostile values reach lambdas.yaml quoted by the YAML library: they parse back to exactly what the template said', () => {
  const values = {
    quotes: `it's "quoted": yes`,
    newline: 'line one\nline two # not a comment',
    vars: '${AWS::Region} ${env} $${x}',
    special: '*alias &anchor !tag %directive @at `tick` | > - [a] {b}',
    dash: '- leading dash',
    tab: 'a\tb\u2028c\u0085d',
    escape: 'red \u001b[31m alert \u0007',
  };
  const handler = Object.values(values).join(' ¦ ');
  const tree = {
    'template.yaml': JSON.stringify({
      AWSTemplateFormatVersion: '2010-09-09',
      Transform: 'AWS::Serverless-2016-10-31',
      Resources: {
        ...Object.fromEntries(
          Object.entries(values).map(([k, v]) => [
            `${k.charAt(0).toUpperCase()}${k.slice(1)}Function`,
            {
              Type: 'AWS::Serverless::Function',
              Properties: {
                CodeUri: `src/${k}`,
                Handler: v,
                Runtime: 'python3.12',
                FunctionName: { 'Fn::Sub': [`\${N}`, { N: v }] },
              },
            },
          ]),
        ),
        AllFunction: {
          Type: 'AWS::Serverless::Function',
          Properties: { CodeUri: 'src/all', Handler: handler, Runtime: 'python3.12' },
        },
      },
    }),
    ...Object.fromEntries([...Object.keys(values), 'all'].map((k) => [`src/${k}/app.py`, 'x = 1\n'])),
  };
  const repo = GitRepo.create(tree);
  const r = lci(['init', '--bucket', 'acme-artifacts'], { cwd: repo.dir });
  const text = readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8');
  for (const data of [parseYaml(text), jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA })] as Record<string, any>[]) {
    for (const [k, v] of Object.entries(values)) {
      assert.is(data.functions[k].handler, v, k);
      assert.is(data.functions[k].functionName, v, k);
    }
    assert.is(data.functions.all.handler, handler);
  }
  // Such names are no Lambda names: lci validate's loader says so, line by line, and init exits 2.
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stdout, /^lambdas\.yaml:\d+:\d+: functions\.\w+\.functionName: /m);
  // The report escapes control characters: the template does not drive the terminal.
  assert.not.match(r.stdout, /\u001b|\u0007/);
  assert.match(r.stdout, /red \\u001b\[31m alert \\u0007/);
});

test('hostile and huge sources are input like any other: bounded, contained, nothing run, nothing fetched', async () => {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.end('Resources: {}\n');
  });
  const url = await listenLocal(server);
  try {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 0; i < 9; i++) {
      const [p, q] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
      laughs.push(`${q}: &${q} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    const outside = tempDir();
    mkdirSync(join(outside, 'code'));
    writeFileSync(join(outside, 'code', 'app.py'), 'x = 1\n');
    const repo = GitRepo.create({
      'bomb/template.yaml': `${laughs.join('\n')}\nResources: {}\n`,
      'deep.template.yaml': `Resources: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`,
      'deep2.template.json': `{"Resources": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      'pipe.template.yaml': 'replaced by a FIFO below\n',
      'template.yaml': `Resources:
  Remote:
    Type: AWS::Serverless::Application
    Properties:
      Location: ${url}/nested.yaml
  Stack:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ../../../../etc/passwd
  Escaped:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: linked/, Handler: app.handler, Runtime: python3.12 }
  Climbing:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: ../../outside, Handler: app.handler, Runtime: python3.12 }
  Fine:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: fine/, Handler: app.handler, Runtime: python3.12 }
`,
      'fine/app.py': 'x = 1\n',
      'svc/serverless.js': `require('fs').writeFileSync(${JSON.stringify(join(outside, 'ran'))}, 'ran')\nmodule.exports = {}\n`,
      'infra/deep.tf': `locals {\n  x = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}\n`,
      'infra/main.tf': `module "remote" {\n  source = "${url}/module.zip"\n}\nmodule "git" {\n  source = "git::${url}/repo.git"\n}\n`,
    });
    symlinkSync(join(outside, 'code'), join(repo.dir, 'linked'));
    writeFileSync(
      join(outside, 'evil.yaml'),
      'Resources:\n  Evil: { Type: AWS::Serverless::Function, Properties: { CodeUri: fine/, Handler: evil.handler, Runtime: python3.12 } }\n',
    );
    symlinkSync(join(outside, 'evil.yaml'), join(repo.dir, 'evil.template.yaml'));
    repo.commit({}, 'symlinks out');
    // A tracked template that is a FIFO in the work tree is refused at once, not waited on.
    rmSync(join(repo.dir, 'pipe.template.yaml'));
    execFileSync('mkfifo', [join(repo.dir, 'pipe.template.yaml')]);
    const started = Date.now();
    const r = spawnSync(process.execPath, [LCI_BIN, 'init', '--dry-run', '--bucket', 'acme-artifacts'], {
      cwd: repo.dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.is(r.status, 0, r.stderr);
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.match(r.stderr, /bomb\/template\.yaml: its YAML aliases expand to too much data/);
    assert.match(r.stderr, /deep\.template\.yaml: nested too deeply to read/);
    assert.match(r.stderr, /pipe\.template\.yaml is not a regular file/);
    assert.match(r.stderr, /infra\/deep\.tf:2:\d+: nested more than 64 levels deep: not read/);
    assert.match(r.stderr, /Resources\.Escaped: CodeUri 'linked\/' resolves outside the repository/);
    assert.match(r.stderr, /Resources\.Climbing: CodeUri '\.\.\/\.\.\/outside' leaves the repository/);
    assert.match(
      r.stderr,
      /Resources\.Remote: not read: nested stack Remote is read from http:\/\/127\.0\.0\.1:\d+\/nested\.yaml, outside the repository/,
    );
    assert.match(
      r.stderr,
      /Resources\.Stack: not read: nested stack Stack: '\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd' leaves the repository/,
    );
    assert.match(r.stderr, /svc\/serverless\.js is code: lci init does not run it/);
    assert.match(r.stderr, /evil\.template\.yaml resolves outside the repository \(a symlink out of it\): not read/);
    assert.not.ok(existsSync(join(outside, 'ran')), 'serverless.js was run');
    assert.equal(requests, [], 'nothing was fetched');
    assert.equal(Object.keys((parseYaml(r.stdout) as Record<string, any>).functions), ['fine']);
  } finally {
    await closeServer(server);
  }
});

test('a template over 16 MB is not read (the config file bound), and says so', () => {
  const repo = GitRepo.create({ 'fine/app.py': 'x = 1\n' });
  writeFileSync(join(repo.dir, 'template.yaml'), `# ${'x'.repeat(16 * 1024 * 1024 + 10)}\nResources: {}\n`);
  repo.git('add', 'template.yaml');
  const r = lci(['init', '--dry-run'], { cwd: repo.dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /template\.yaml is \d{8} bytes; lci init reads files of up to 16777216 bytes/);
});

// --- --aws

const EMPTY_ZIP = Buffer.from('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'base64');

test('--aws reads the Lambda stand-in: ListFunctions page by page, ListTags of the candidates, names per environment', async () => {
  const standin = await LambdaStandin.start({ s3Endpoint: 'http://127.0.0.1:9' });
  try {
    const seed = (name: string, tags: Record<string, string> = {}) =>
      standin.seedFunction({ name, runtime: 'python3.12', handler: 'app.handler', zip: EMPTY_ZIP, tags });
    for (let i = 0; i < 120; i++) seed(`other-${String(i).padStart(3, '0')}`);
    for (const env of ['qa', 'prod'])
      seed(`shop-${env}-ReportsMonthlyFunc-1A2B3C${env}`, {
        'aws:cloudformation:logical-id': 'ReportsMonthlyFunction',
        'aws:cloudformation:stack-name': `shop-${env}`,
      });
    for (const name of ['orders', 'users', 'invoices', 'web', 'reports-daily']) seed(`shop-qa-${name}`);
    const repo = GitRepo.create(SAM_APP.tree);
    const r = await lciAsync(['init', '--aws', '--region', 'eu-west-1'], {
      cwd: repo.dir,
      env: {
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_LAMBDA: standin.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const written = parseYaml(readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8')) as Record<string, any>;
    assert.equal(written.functions['reports-monthly'].environments, {
      qa: { functionName: 'shop-qa-ReportsMonthlyFunc-1A2B3Cqa' },
      prod: { functionName: 'shop-prod-ReportsMonthlyFunc-1A2B3Cprod' },
    });
    assert.not.ok('functionName' in written.functions['reports-monthly']);
    assert.match(r.stdout, /Resources\.WebFunction: no function shop-prod-web in the account \(not created yet\?\)/);
    assert.match(r.stdout, /AWS: 127 functions listed, tags of 2 read, 1 declared function found/);
    const ops = standin.log.map((e) => e.operation);
    assert.is(ops.filter((o) => o === 'ListFunctions').length, 3, 'three pages of at most 50');
    assert.is(ops.filter((o) => o === 'ListTags').length, 2, 'tags read only for names that hold the logical id');
    assert.is(lci(['validate'], { cwd: repo.dir }).code, 0);
  } finally {
    await standin.close();
  }
});

test('--aws against moto (a third-party Lambda emulator) gives the same names', async () => {
  // A port the system gives, freed for moto.
  const probe = createServer();
  const port = Number(new URL(await listenLocal(probe)).port);
  await closeServer(probe);
  const moto = spawnSync('python3', ['-c', 'import moto'], { encoding: 'utf8' });
  assert.is(moto.status, 0, `moto is not installed: ${moto.stderr}`);
  const { spawn } = await import('node:child_process');
  const server = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        await fetch(`${endpoint}/moto-api/`);
        break;
      } catch {
        if (i > 100) throw new Error('moto did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const role = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({
        Action: 'CreateRole',
        Version: '2010-05-08',
        RoleName: 'fn',
        AssumeRolePolicyDocument: '{}',
      }),
    }).then((res) => res.text());
    const roleArn = /<Arn>(.*?)<\/Arn>/.exec(role)![1]!;
    const { CreateFunctionCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const client = new LambdaClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    for (const env of ['qa', 'prod'])
      await client.send(
        new CreateFunctionCommand({
          FunctionName: `shop-${env}-ReportsMonthlyFunc-X${env}`,
          Role: roleArn,
          Runtime: 'python3.12',
          Handler: 'monthly.handler',
          Code: { ZipFile: EMPTY_ZIP },
          Tags: {
            'aws:cloudformation:logical-id': 'ReportsMonthlyFunction',
            'aws:cloudformation:stack-name': `shop-${env}`,
          },
        }),
      );
    client.destroy();
    const repo = GitRepo.create(SAM_APP.tree);
    const r = await lciAsync(['init', '--aws', '--region', 'eu-west-1', '--endpoint-url', endpoint], {
      cwd: repo.dir,
      env: { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    assert.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const written = parseYaml(readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8')) as Record<string, any>;
    assert.equal(written.functions['reports-monthly'].environments, {
      qa: { functionName: 'shop-qa-ReportsMonthlyFunc-Xqa' },
      prod: { functionName: 'shop-prod-ReportsMonthlyFunc-Xprod' },
    });
  } finally {
    server.kill();
  }
});

test('init is listed in help and completes in bash', () => {
  const repo = GitRepo.create({});
  assert.match(lci(['--help'], { cwd: repo.dir }).stdout, /^ {2}init {2,}Write a first lambdas\.yaml/m);
  const help = lci(['init', '--help'], { cwd: repo.dir });
  assert.is(help.code, 0);
  assert.match(help.stdout, /--from KIND/);
  assert.match(lci(['completion', 'bash'], { cwd: repo.dir }).stdout, /--env-names/);
});

test.run();
