import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildJson, CONFIG, hooksPackage, monorepo, unzipText, zipNames } from './harness/build-project.js';
import { lci, lciAsync } from './harness/cli.js';
import { containersCreated, leftoverContainers, requireDocker, TEST_IMAGE } from './harness/docker.js';
import { writeWheel } from './harness/wheel.js';

// Real Docker engine, real build image (made by .ci/docker.sh). No network inside the containers:
// dependencies are local (a wheel for pip, a file: package for npm).

const docker = suite('build: dependency layers in a real Docker engine');

docker.before(requireDocker);

docker('python with a local wheel and nodejs with a file: dependency and a lockfile: layer layouts', async () => {
  const repo = await monorepo();
  const { json, code, stderr } = buildJson(repo, ['orders', 'hooks']);
  assert.is(code, 0, stderr);
  const py = zipNames(join(repo.dir, '.lci/dist/orders/deps.zip'));
  assert.ok(py.includes('python/acme_common/money.py'), py.join(' '));
  assert.ok(py.includes('python/acme_common-1.0.0.dist-info/METADATA'));
  assert.not.ok(
    py.some((n) => n.endsWith('.pyc')),
    'no compiled files (--no-compile)',
  );
  const js = zipNames(join(repo.dir, '.lci/dist/hooks/deps.zip'));
  assert.ok(js.includes('nodejs/node_modules/jc/index.js'), js.join(' '));
  assert.is(
    unzipText(join(repo.dir, '.lci/dist/hooks/deps.zip'), 'nodejs/node_modules/jc/index.js'),
    'exports.value = 42;\n',
    'a copy of the package, not a symlink',
  );
  assert.equal(zipNames(join(repo.dir, '.lci/dist/orders/app.zip')), ['app.py', 'requirements.txt']);
  const manifest = JSON.parse(readFileSync(join(repo.dir, '.lci/dist/orders/manifest.json'), 'utf8')) as {
    deps: { key: string };
  };
  assert.is(manifest.deps.key, json.functions[0]!.deps!.key);
});

docker('identical dependencies build once per run; a second run starts no container', async () => {
  const repo = await monorepo();
  const t0 = Date.now();
  const first = buildJson(repo);
  const t1 = Date.now();
  assert.is(first.code, 0, first.stderr);
  const [orders, invoices, hooks] = first.json.functions;
  assert.is(orders!.deps!.key, invoices!.deps!.key, 'same inputs, same key');
  assert.equal([orders!.deps!.source, invoices!.deps!.source].sort(), ['built', 'shared']);
  assert.is(hooks!.deps!.source, 'built');
  assert.is(await containersCreated(repo.dir, t0, t1), 2, 'one container per distinct key, counted by the engine');

  const t2 = Date.now();
  const second = buildJson(repo);
  const t3 = Date.now();
  assert.is(second.code, 0, second.stderr);
  assert.equal(
    second.json.functions.map((f) => f.deps!.source),
    ['cache', 'cache', 'cache'],
  );
  assert.is(await containersCreated(repo.dir, t2, t3), 0, 'nothing changed, no container');
  assert.ok(
    readFileSync(join(repo.dir, '.lci/dist/orders/deps.zip')).equals(
      readFileSync(first.json.functions[0]!.deps!.path.replace(/^/, repo.dir + '/')),
    ),
    'same layer bytes',
  );
});

docker('a changed local dependency changes the key and rebuilds only that layer', async () => {
  const repo = await monorepo();
  const before = buildJson(repo).json.functions.map((f) => f.deps!.key);
  await writeWheel(join(repo.dir, 'libs/dist/acme_common-1.0.0-py3-none-any.whl'), 'acme_common', '1.0.0', {
    'acme_common/__init__.py': '',
    'acme_common/money.py': 'CENTS = 1000\n',
  });
  const t0 = Date.now();
  const after = buildJson(repo);
  assert.is(await containersCreated(repo.dir, t0, Date.now()), 1);
  const keys = after.json.functions.map((f) => f.deps!.key);
  assert.is.not(keys[0], before[0]);
  assert.is(keys[2], before[2], 'the nodejs layer kept its key');
});

docker(
  "a requirements line pip reads as a path though it has no './' (libs/common/) is staged and installed from the commit",
  async () => {
    const repo = await monorepo({
      'requirements.txt': '# pip runs here, at the root: these are paths to it\nlibs/common/\n',
      'libs/common/setup.py':
        'from setuptools import setup\nsetup(name="common", version="1.0", packages=["common"])\n',
      'libs/common/common/__init__.py': 'RATE = 7\n',
      'services/reports/app.py': 'from common import RATE\n',
    });
    writeFileSync(
      join(repo.dir, 'lambdas.yaml'),
      `${CONFIG}  reports:\n    path: services/reports\n    descriptor: ../../requirements.txt\n`,
    );
    repo.commit({}, 'reports');
    const { json, code, stderr } = buildJson(repo, ['reports']);
    assert.is(code, 0, stderr);
    const deps = zipNames(join(repo.dir, json.functions[0]!.deps!.path));
    assert.ok(deps.includes('python/common/__init__.py'), deps.join(' '));
    assert.is(unzipText(join(repo.dir, json.functions[0]!.deps!.path), 'python/common/__init__.py'), 'RATE = 7\n');
  },
);

docker(
  'a broken descriptor fails with the exit status in words, the log tail and the full log; no container is left',
  async () => {
    const repo = await monorepo({
      'services/broken/requirements.txt': 'acme-common @@ not a requirement\n',
      'services/broken/app.py': '',
    });
    writeFileSync(join(repo.dir, 'lambdas.yaml'), CONFIG + '  broken:\n    path: services/broken\n');
    const r = lci(['build', 'broken', 'hooks'], { cwd: repo.dir, env: { CI: 'true' } });
    assert.is(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `lci: function broken: dependency build failed in ${TEST_IMAGE.replace('.', '\\.')}: exit status 1 \\(general error\\)`,
      ),
    );
    assert.match(r.stderr, /last 30 lines of the build log:\n( {2}\| .*\n)+/);
    assert.match(r.stderr, /Invalid requirement/);
    const log = /full log: (\S+)/.exec(r.stderr)![1]!;
    assert.ok(existsSync(log), log);
    assert.ok(existsSync(join(repo.dir, '.lci/dist/hooks/deps.zip')), 'the other function still built');
    assert.is(await leftoverContainers(repo.dir), 0);
  },
);

docker(
  'Ctrl-C during a build removes the container and says it was interrupted (not killed, not out of memory)',
  async () => {
    const repo = await monorepo({
      'services/hooks/package.json': hooksPackage({ scripts: { preinstall: 'sleep 60' } }),
    });
    let child: ChildProcess | undefined;
    const run = lciAsync(['build', 'hooks'], { cwd: repo.dir, env: { CI: 'true' }, started: (c) => (child = c) });
    const started = Date.now();
    while ((await leftoverContainers(repo.dir)) === 0) {
      if (Date.now() - started > 30_000) throw new Error('the build container never started');
      await new Promise((r) => setTimeout(r, 200));
    }
    child!.kill('SIGINT');
    const r = await run;
    assert.is(r.code, 130);
    assert.ok(Date.now() - started < 30_000, 'did not wait for the build');
    assert.match(r.stderr, /interrupted by SIGINT/);
    assert.not.match(r.stderr, /memory|exit status 137|unexpected error/);
    assert.is(await leftoverContainers(repo.dir), 0);
  },
);

docker.run();
