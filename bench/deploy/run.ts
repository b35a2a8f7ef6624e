// bench/deploy: lci deploy of 100 functions against the local stand-ins (s3rver, the Lambda stand-in),
// first with nothing changed (on a fresh checkout: no .lci), then with one function's code changed.
// Usage: node --import tsx bench/deploy/run.ts   (needs the Docker engine and image of .ci/docker.sh)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { lciAsync } from '../../test/harness/cli.js';
import { containersCreated, requireDocker, TEST_IMAGE } from '../../test/harness/docker.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { writeWheel } from '../../test/harness/wheel.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';

const FUNCTIONS = 100;
const WITH_DEPS = 20;

await requireDocker();
const files: Record<string, string> = {};
const yaml = [
  'version: 1',
  'artifacts: { bucket: acme-artifacts, region: eu-west-1 }',
  `defaults: { build: { image: "${TEST_IMAGE}" } }`,
  'environments:',
  '  qa: { branch: main }',
  'functions:',
];
for (let i = 0; i < FUNCTIONS; i++) {
  const name = `fn-${String(i).padStart(3, '0')}`;
  yaml.push(`  ${name}:`, `    path: svc/${name}`);
  if (i >= WITH_DEPS) yaml.push('    descriptor: false');
  for (let j = 0; j < 20; j++) files[`svc/${name}/mod${j}.py`] = `# ${name} module ${j}\n` + 'def f(x):\n    return x * 2\n'.repeat(50);
  if (i < WITH_DEPS) files[`svc/${name}/requirements.txt`] = '../../libs/acme-1.0.0-py3-none-any.whl\n';
}
files['lambdas.yaml'] = yaml.join('\n') + '\n';
files['.gitignore'] = '.lci/\n';
const repo = GitRepo.create(files);
await writeWheel(join(repo.dir, 'libs/acme-1.0.0-py3-none-any.whl'), 'acme', '1.0.0', { 'acme/__init__.py': 'X = 1\n' });

const world = await AwsWorld.start();
await seedFunctions(
  world,
  Array.from({ length: FUNCTIONS }, (_, i) => ({ name: `fn-${String(i).padStart(3, '0')}`, alias: 'qa' })),
);
const deploy = () => lciAsync(['deploy', '--env', 'qa', '--json'], { cwd: repo.dir, env: world.env() });
const freshCheckout = () => rmSync(join(repo.dir, '.lci'), { recursive: true, force: true });
const zipsWritten = () =>
  existsSync(join(repo.dir, '.lci/dist'))
    ? readdirSync(join(repo.dir, '.lci/dist')).filter((d) => existsSync(join(repo.dir, '.lci/dist', d, 'app.zip'))).length
    : 0;

const setup = await deploy();
if (setup.code !== 0) throw new Error(`setup deploy failed: ${setup.stderr}`);

async function measured(label: string) {
  freshCheckout();
  world.lambda.clearLog();
  const keys = await world.s3.keys();
  const t0 = Date.now();
  const r = await deploy();
  const wall = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as { functions: { status: string; s3: string[] }[] };
  // Requests per function: /functions/<name>/... and /layers/<name>-deps/...
  const perFunction: Record<string, number> = {};
  for (const l of world.lambda.log) {
    const name = /\/(?:functions|layers)\/([^/?]+)/.exec(l.path)?.[1]?.replace(/-deps$/, '') ?? '?';
    perFunction[name] = (perFunction[name] ?? 0) + 1;
  }
  const after = await world.s3.keys();
  return {
    label,
    wall,
    requestsPerFunction: world.lambda.log.length / FUNCTIONS,
    maxRequestsOneFunction: Math.max(...Object.values(perFunction)),
    s3Writes: json.functions.reduce((n, f) => n + f.s3.length, 0),
    mutations: world.mutations().length,
    newS3Objects: after.filter((k) => !keys.includes(k)).length,
    containers: await containersCreated(repo.dir, t0, t1),
    zipped: zipsWritten(),
    published: json.functions.filter((f) => f.status === 'PUBLISHED').length,
  };
}

const noop = await measured('nothing changed');
repo.commit({ 'svc/fn-042/mod0.py': '# changed\n' });
const one = await measured('fn-042 changed');
await world.close();

console.log(
  `bench/deploy: ${FUNCTIONS} functions (${WITH_DEPS} with a dependency layer), fresh checkout each run, ${execFileSync('nproc').toString().trim()} cores`,
);
console.log('');
const rows = [
  ['run', 'wall (s)', 'requests/function', 'max for one function', 'Lambda writes', 'S3 writes', 'new S3 objects', 'containers', 'zipped', 'published'],
  ...[noop, one].map((m) => [
    m.label,
    m.wall.toFixed(2),
    m.requestsPerFunction.toFixed(2),
    String(m.maxRequestsOneFunction),
    String(m.mutations),
    String(m.s3Writes),
    String(m.newS3Objects),
    String(m.containers),
    String(m.zipped),
    String(m.published),
  ]),
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
console.log('');
const ok =
  noop.wall < 3 &&
  noop.maxRequestsOneFunction <= 3 &&
  noop.s3Writes === 0 &&
  noop.newS3Objects === 0 &&
  noop.containers === 0 &&
  noop.mutations === 0 &&
  one.published === 1 &&
  one.zipped === 1;
console.log(
  `targets: no-op under 3 s with at most 3 requests per function, 0 uploads, 0 containers; one change zips, uploads and releases one function: ${ok ? 'yes' : 'NO'}`,
);
