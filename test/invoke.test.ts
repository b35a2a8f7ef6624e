import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AwsWorld } from './harness/aws-world.js';
import { lciAsync } from './harness/cli.js';
import { containersCreated, leftoverContainers, requireDocker, TEST_IMAGE } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';
import { writeWheel } from './harness/wheel.js';
import { writeZip } from '../src/package/zip.js';
import { tempDir } from './harness/tmp.js';
import { readFileSync } from 'node:fs';

// lci invoke: the built artifacts run locally in the function's build image, laid out as Lambda
// lays them out (a python package from a local wheel in the layer, a nodejs file: dependency on
// NODE_PATH); and the deployed alias or a version, through the Lambda stand-in (which runs the
// handler in Docker too), with the log tail decoded. Then lci logs reads what those runs wrote.

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
defaults:
  build: { image: "${TEST_IMAGE}" }
environments:
  qa: { branch: main }
functions:
  pyfn:
    path: svc/pyfn
  nodefn:
    path: svc/nodefn
    runtime: nodejs20.x
    handler: lib/main.handler
`;

async function project(): Promise<GitRepo> {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG,
    // no handler in lambdas.yaml: app.handler, as Lambda is configured by lci generate --with-functions
    'svc/pyfn/app.py':
      'import acme\n\ndef handler(event, context):\n    print("acme", acme.VERSION, "for", event.get("name"))\n    return {"acme": acme.VERSION, "version": context.function_version, "got": event}\n',
    'svc/pyfn/requirements.txt': '../../libs/acme-1.0.0-py3-none-any.whl\n',
    'svc/nodefn/lib/main.js':
      "const greet = require('greet');\nexports.handler = async (event) => {\n  if (!event.name) throw new TypeError('name is required');\n  console.log('greeting', event.name);\n  return { message: greet(event.name) };\n};\n",
    'svc/nodefn/package.json': JSON.stringify({
      name: 'nodefn',
      version: '1.0.0',
      dependencies: { greet: 'file:../../libs/greet' },
    }),
    'libs/greet/package.json': JSON.stringify({ name: 'greet', version: '1.0.0', main: 'index.js' }),
    'libs/greet/index.js': "module.exports = (name) => 'hello ' + name;\n",
    'event.json': '{"name": "ada"}',
    '.gitignore': '.lci/\n',
  });
  await writeWheel(join(repo.dir, 'libs/acme-1.0.0-py3-none-any.whl'), 'acme', '1.0.0', {
    'acme/__init__.py': 'VERSION = 1\n',
  });
  repo.commit({}, 'the wheel');
  return repo;
}

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const out = join(tempDir(), 'code.zip');
  await writeZip(
    Object.entries(files).map(([name, text]) => ({
      name,
      source: { data: Buffer.from(text) },
      size: Buffer.byteLength(text),
      executable: false,
    })),
    out,
  );
  return readFileSync(out);
}

const invoke = suite('lci invoke: local from the built artifacts, remote through the alias or a version');

invoke.before(requireDocker);

invoke(
  'local: a python package from a local wheel in the layer, a nodejs file: dependency, handlers resolved as Lambda does',
  async () => {
    const repo = await project();
    const t0 = Date.now();
    const py = await lciAsync(['invoke', 'pyfn', '--local', '--event', 'event.json'], { cwd: repo.dir });
    assert.is(py.code, 0, py.stderr);
    assert.equal(JSON.parse(py.stdout), { acme: 1, version: '$LATEST', got: { name: 'ada' } });
    assert.match(
      py.stderr,
      /--- log of pyfn \(local build, app\.handler\) ---\nSTART RequestId: \S+ Version: \$LATEST\nacme 1 for ada\n/,
    );
    assert.ok(
      existsSync(join(repo.dir, '.lci/dist/pyfn/app.zip')) && existsSync(join(repo.dir, '.lci/dist/pyfn/deps.zip')),
      'built first',
    );

    const node = await lciAsync(['invoke', 'nodefn', '--local', '--event', '-', '--json'], {
      cwd: repo.dir,
      input: '{"name": "grace"}',
    });
    assert.is(node.code, 0, node.stderr);
    const doc = JSON.parse(node.stdout);
    assert.equal(
      [doc.status, doc.local, doc.handler, doc.response],
      ['OK', true, 'lib/main.handler', { message: 'hello grace' }],
    );
    assert.match(doc.log, /\tINFO\tgreeting grace\n/);

    const failed = await lciAsync(['invoke', 'nodefn', '--local'], { cwd: repo.dir });
    assert.is(failed.code, 1);
    assert.equal(JSON.parse(failed.stdout).errorType, 'TypeError');
    assert.match(failed.stderr, /lci: nodefn \(local build, lib\/main\.handler\) failed: function error Unhandled\n$/);
    // Contained and cleaned: each run is one container of this project, none is left, no scratch directory stays.
    assert.is(await containersCreated(repo.dir, t0, Date.now()), 2 + 3, 'two layer builds, three runs');
    assert.is(await leftoverContainers(repo.dir), 0);
    assert.equal(
      readdirSync(join(repo.dir, '.lci/tmp')).filter((d) => d.startsWith('invoke-')),
      [],
    );
  },
);

invoke('local: a handler that cannot be imported fails as Lambda fails it, and a bad event is exit 2', async () => {
  const repo = await project();
  repo.commit({ 'lambdas.yaml': CONFIG.replace('path: svc/pyfn', 'path: svc/pyfn\n    handler: missing.handler') });
  const r = await lciAsync(['invoke', 'pyfn', '--local', '--json'], { cwd: repo.dir });
  assert.is(r.code, 1);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.response.errorType, 'Runtime.ImportModuleError');
  assert.match(doc.response.errorMessage, /^Unable to import module 'missing': No module named 'missing'/);
  const bad = await lciAsync(['invoke', 'pyfn', '--local', '--event', '-'], { cwd: repo.dir, input: '{ nope' });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /^lci: --event -: not JSON \(/);
});

invoke(
  "local: contained like a build: no network, a read-only task, none of lci's environment (credentials) inside",
  async () => {
    const repo = await project();
    repo.commit({
      'svc/pyfn/app.py':
        'import os, socket\n\ndef handler(event, context):\n    net = [name for _, name in socket.if_nameindex()]\n    try:\n        open("/var/task/x", "w")\n        task = "writable"\n    except OSError as e:\n        task = e.strerror\n    return {"net": net, "task": task, "secret": os.environ.get("AWS_SECRET_ACCESS_KEY"), "uid": os.getuid()}\n',
    });
    const r = await lciAsync(['invoke', 'pyfn', '--local'], {
      cwd: repo.dir,
      env: { AWS_SECRET_ACCESS_KEY: 'do-not-leak' },
    });
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(
      [out.net, out.task, out.secret],
      [['lo'], 'Read-only file system', null],
      'only a loopback interface: no network',
    );
    assert.is.not(out.uid, 0, 'not root');
  },
);

invoke('remote: the alias, a version, a function error; then lci logs shows what the version logged', async () => {
  await AwsWorld.with(async (w) => {
    w.lambda.seedFunction({
      name: 'pyfn',
      runtime: 'python3.12',
      handler: 'app.handler',
      zip: await zipOf({ 'app.py': 'def handler(e, c):\n    return "old"\n' }),
      aliases: ['qa'],
    });
    w.lambda.seedFunction({
      name: 'nodefn',
      runtime: 'nodejs20.x',
      handler: 'lib/main.handler',
      zip: await zipOf({ 'lib/main.js': 'exports.handler = async () => "old";\n' }),
      aliases: ['qa'],
    });
    const repo = await project();
    const deployed = await lciAsync(['deploy', '--env', 'qa'], { cwd: repo.dir, env: w.env() });
    assert.is(deployed.code, 0, deployed.stderr);
    const run = (args: string[], input?: string) =>
      lciAsync(['invoke', ...args], { cwd: repo.dir, env: w.env(), input });

    const py = await run(['pyfn', '--env', 'qa', '--event', 'event.json']);
    assert.is(py.code, 0, py.stderr);
    assert.equal(JSON.parse(py.stdout), { acme: 1, version: '2', got: { name: 'ada' } });
    assert.match(
      py.stderr,
      /--- log tail of pyfn:qa \(version 2\) ---\nSTART RequestId: \S+ Version: 2\nacme 1 for ada\nEND RequestId: /,
    );
    const v1 = await run(['pyfn', '--env', 'qa', '--version', '1', '--json']);
    assert.equal(
      [JSON.parse(v1.stdout).response, JSON.parse(v1.stdout).version, JSON.parse(v1.stdout).alias],
      ['old', '1', null],
    );

    const node = await run(['nodefn', '--env', 'qa', '--event', '-'], '{"name": "grace"}');
    assert.is(node.code, 0, node.stderr);
    assert.equal(JSON.parse(node.stdout), { message: 'hello grace' });
    const failed = await run(['nodefn', '--env', 'qa', '--json']);
    assert.is(failed.code, 1);
    const doc = JSON.parse(failed.stdout);
    assert.equal([doc.status, doc.functionError, doc.response.errorType], ['FUNCTION_ERROR', 'Unhandled', 'TypeError']);
    assert.match(doc.log, /name is required/);

    // The invocations above are in CloudWatch Logs, each in a stream named for its version.
    const logs = await lciAsync(['logs', 'pyfn', '--env', 'qa', '--json'], { cwd: repo.dir, env: w.env() });
    assert.is(logs.code, 0, logs.stderr);
    const events = JSON.parse(logs.stdout).events as { version: string; message: string }[];
    assert.ok(
      events.some((e) => e.message === 'acme 1 for ada' && e.version === '2'),
      JSON.stringify(events),
    );
    assert.not.ok(
      events.some((e) => e.version !== '2'),
      'only the version the alias serves',
    );
    const all = await lciAsync(['logs', 'pyfn', '--env', 'qa', '--version', 'all'], { cwd: repo.dir, env: w.env() });
    assert.match(all.stdout, /Z \[1\] START RequestId/);
  });
});

invoke.run();
