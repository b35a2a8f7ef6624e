import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { LCI_BIN, lciAsync } from './harness/cli.js';
import { deployRepo, seedFunctions } from './harness/deploy-fixture.js';
import { GitRepo } from './harness/git-repo.js';
import { closeServer, listenLocal } from './harness/http-server.js';
import { tempDir } from './harness/tmp.js';
import { unexpectedAnswer } from '../src/aws/answers.js';

// AWS problems a user meets before any function matters are said once, in lci's words: no
// credentials (and how to provide them), an endpoint that answers something other than AWS
// (which one, with which status), a function that is not where lci looked (region, account).

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
environments:
  qa: { branch: main }
functions:
${['a', 'b', 'c'].map((n) => `  ${n}: { path: svc, functionName: "${n}-\${env}" }`).join('\n')}
`;

/**
 * lci with nothing of this machine's AWS setup: no AWS_* variable, an empty HOME (no profile), the
 * instance metadata service off, and every endpoint on 127.0.0.1, so nothing reaches a network.
 */
function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(AWS_|LCI_|CODEBUILD_|GITHUB_|CI$)/.test(k)) clean[k] = v;
  const child = spawn(process.execPath, [LCI_BIN, ...args], {
    cwd,
    env: {
      ...clean,
      NO_COLOR: '1',
      HOME: tempDir('lci-home-'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_MAX_ATTEMPTS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr });
    }),
  );
}

const FAKE_KEYS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
const SDK_WORDING = /CredentialsProviderError|Could not load credentials|\$response|Deserialization error|hidden field/;

function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, stderr);
  assert.match(lines[0]!, pattern);
  assert.not.match(stderr, SDK_WORDING);
}

test('no credentials anywhere: one line before any work, saying how to provide them, exit 2', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  for (const args of [['deploy', '--env', 'qa', '--dry-run'], ['status', '--env', 'qa'], ['pipelines']]) {
    const r = await run(args, repo.dir);
    assert.is(r.code, 2, `${args[0]}: ${r.stderr}`);
    oneLine(
      r.stderr,
      /^lci: no AWS credentials found; give lci credentials one of the usual ways: AWS_PROFILE or --profile \(after aws sso login for an SSO profile\), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role where lci runs \(the CodeBuild project’s service role/,
    );
  }
  const profile = await run(['status', '--env', 'qa', '--profile', 'nope'], repo.dir);
  assert.is(profile.code, 2);
  oneLine(profile.stderr, /^lci: AWS profile 'nope' is in neither ~\/\.aws\/config nor ~\/\.aws\/credentials/);
  const home = tempDir('lci-home-');
  mkdirSync(join(home, '.aws'));
  writeFileSync(
    join(home, '.aws/config'),
    '[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = deploy\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n',
  );
  const sso = await run(['status', '--env', 'qa'], repo.dir, { HOME: home, AWS_PROFILE: 'sso' });
  assert.is(sso.code, 2);
  oneLine(
    sso.stderr,
    /^lci: AWS profile 'sso' signs in with AWS SSO \(IAM Identity Center\) and has no valid session; run aws sso login --profile sso, then run lci again$/,
  );
  const device = await run(['status', '--env', 'qa'], repo.dir, { AWS_CONFIG_FILE: '/dev/zero' });
  assert.is(device.code, 2);
  oneLine(device.stderr, /^lci: AWS_CONFIG_FILE=\/dev\/zero is not a regular file \(a device\); point it at the file/);
});

test('an endpoint answering HTML: one line naming the endpoint and the HTTP status, no SDK wording', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  for (const status of [200, 502]) {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body><h1>Welcome to the proxy</h1></body></html>');
    });
    const url = await listenLocal(server);
    try {
      const r = await run(['status', '--env', 'qa', '--endpoint-url', url], repo.dir, FAKE_KEYS);
      assert.is(r.code, 1, r.stderr);
      assert.not.match(r.stderr, SDK_WORDING);
      assert.match(
        r.stderr,
        new RegExp(
          `^lci: .*Lambda \\w+: ${url.replace(/\./g, '\\.')} answered HTTP ${status} \\(text/html\\), which is not an AWS API response; check the endpoint \\(--endpoint-url, AWS_ENDPOINT_URL\\*\\)`,
          'm',
        ),
      );
      const d = await run(['deploy', '--env', 'qa', '--dry-run', '--endpoint-url', url], repo.dir, FAKE_KEYS);
      assert.is(d.code, 1, d.stderr);
      assert.not.match(d.stderr, SDK_WORDING);
      assert.match(d.stderr, new RegExp(`^lci: function a \\(a-qa\\): .*answered HTTP ${status} \\(text/html\\)`, 'm'));
    } finally {
      await closeServer(server);
    }
  }
});

test('a function that is not there names the region and the account lci looked in', async () => {
  await AwsWorld.with(async (world) => {
    await seedFunctions(world, [{ name: 'beta', alias: 'qa' }]);
    const repo = await deployRepo();
    const r = await lciAsync(['deploy', '--env', 'qa'], { cwd: repo.dir, env: world.env() });
    assert.is(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^lci: function alpha \(alpha-qa\): function alpha-qa does not exist in region eu-west-1 of account (\d{12}); create it first \(Terraform, or lci generate --with-functions\), or point lci where it is \(artifacts\.region, --region or AWS_REGION; the account's credentials, e\.g\. AWS_PROFILE\)$/m,
    );
  });
});

test("a HEAD's 404 is S3's NotFound, whatever content type the server names (moto sends text/html)", () => {
  const notFound = Object.assign(new Error('UnknownError'), {
    name: 'NotFound',
    $response: { statusCode: 404, headers: { 'content-type': 'text/html; charset=utf-8' } },
  });
  assert.is(unexpectedAnswer(notFound, { commandName: 'HeadObjectCommand', clientName: 'S3Client' }), null);
  assert.ok(unexpectedAnswer(notFound, { commandName: 'GetObjectCommand', clientName: 'S3Client' }));
});

test.run();
