// The main job on the example monorepo: copy examples/monorepo into a fresh git repository, plan a
// few realistic commits, then deploy it twice to local stand-ins for AWS (a real S3 server and the
// Lambda stand-in from test/harness): the first run publishes every function, the second is a no-op.
// Needs the Docker engine and build image that .ci/docker.sh sets up.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AwsWorld } from '../test/harness/aws-world.js';
import { lciAsync } from '../test/harness/cli.js';
import { requireDocker, TEST_IMAGE } from '../test/harness/docker.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lci-demo-'));
cpSync(join(root, 'examples/monorepo'), dir, { recursive: true });

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'demo',
  GIT_AUTHOR_EMAIL: 'demo@example.com',
  GIT_COMMITTER_NAME: 'demo',
  GIT_COMMITTER_EMAIL: 'demo@example.com',
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: gitEnv, encoding: 'utf8' }).trim();
const commit = (message: string) => {
  git('add', '-A');
  git('commit', '-qm', message);
  return git('rev-parse', 'HEAD');
};
const edit = (path: string, change: (s: string) => string) =>
  writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));
let world: AwsWorld | undefined;
const run = async (...args: string[]) => {
  console.log(`\n$ lci ${args.join(' ')}`);
  const r = await lciAsync(args, { cwd: dir, env: { ...(world ? world.env() : {}), CI: 'true' } });
  process.stderr.write(r.stderr);
  process.stdout.write(r.stdout);
  if (r.code !== 0 && r.code !== 3) process.exit(r.code);
};

// This machine has no registry: build in the local image, with the image's own setuptools for the
// shared python package, and on x86_64 (the example's arm64 worker would need an arm64 image).
edit('lambdas.yaml', (s) =>
  s
    .replace(
      '  functionName: "${name}-${env}"\n',
      `  functionName: "\${name}-\${env}"\n  build: { image: "${TEST_IMAGE}", env: { PIP_NO_BUILD_ISOLATION: "0" } }\n`,
    )
    .replace('    architecture: arm64\n', ''),
);
git('init', '-q', '-b', 'main');
const first = commit('example monorepo');
console.log(`example monorepo committed in ${dir} (build image ${TEST_IMAGE}, all x86_64)`);
await run('validate');

edit('libs/js-common/index.js', (s) => s + '// constant-time compare next\n');
const second = commit('js-common: comment');
console.log(
  '\n# a change in the shared JS library reaches the function that depends on it with file: and the one that watches it',
);
await run('plan', '--base', first, '--head', second);

edit('lambdas.yaml', (s) => s.replace('handler: handler.main', 'handler: handler.run'));
edit(
  'services/orders-api/tests/test_app.py',
  (s) => s + '\n\ndef test_zero():\n    assert handler({}, None)["statusCode"] == 200\n',
);
commit('invoice-worker: new handler; orders-api: one more test');
console.log(
  '\n# a config change affects only the function whose configuration changed; a test left out of the package (exclude) affects nothing',
);
await run('plan', '--base', second, '--env', 'prod');

await requireDocker();
world = await AwsWorld.start();
// What Terraform would have created: each QA function, configured as lambdas.yaml says (lci checks
// runtime, architecture and handler before it writes), with an alias on version 1.
const seed = readFileSync(join(root, 'examples/seed.zip'));
const TERRAFORM: [name: string, runtime: string, handler: string][] = [
  ['orders-api-qa', 'python3.12', 'app.handler'],
  ['invoice-worker-qa', 'python3.12', 'handler.run'],
  ['webhooks-qa', 'nodejs22.x', 'index.handler'],
  ['notifier-qa', 'nodejs22.x', 'index.handler'],
];
for (const [name, runtime, handler] of TERRAFORM)
  world.lambda.seedFunction({ name, runtime, handler, zip: seed, aliases: ['qa'] });
console.log(`\n# deploy to QA against local stand-ins: S3 at ${world.s3.endpoint}, Lambda at ${world.lambda.endpoint}`);
await run('deploy', '--env', 'qa');
console.log('\n# the same deploy again: nothing changed, nothing written');
world.lambda.clearLog();
await run('deploy', '--env', 'qa');
console.log(`\n(${world.lambda.log.length} Lambda requests, ${world.mutations().length} of them writes)`);
await run('status', '--env', 'qa');
await world.close();
