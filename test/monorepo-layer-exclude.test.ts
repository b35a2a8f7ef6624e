import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DependencyBuilder } from '../src/builder/dependency-builder.js';
import { loadProject } from '../src/config/load.js';
import { unzipText } from './harness/build-project.js';
import { lci } from './harness/cli.js';
import { requireDocker, TEST_IMAGE } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';

// A shared layer's `exclude`: files under its directory that its build never reads, so a change
// to them affects neither the layer nor the functions that use it. And a local dependency's files
// the dependency key never hashed (a generated *.egg-info, build/, __pycache__/) are not inputs.

const CONFIG = (layerExtra = '') => `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  runtime: python3.12
  build: { image: "${TEST_IMAGE}", network: none }
environments:
  qa: { branch: main }
layers:
  common:
    path: layers/common
    runtimes: [python3.12]
${layerExtra}  tools:
    path: layers/tools
    runtimes: [python3.12]
    descriptor: false
    exclude: ["docs/**", "*.egg-info/**"]
    build: { command: sh build.sh, output: out }
functions:
  users:
    path: services/users
    handler: app.handler
    layers: [common]
  orders:
    path: services/orders
    handler: app.handler
    layers: [common, tools]
  plain:
    path: services/plain
    handler: app.handler
`;

const FILES = {
  // the layer installs its own source package: the whole directory is a local dependency
  'layers/common/requirements.txt': '.\n',
  'layers/common/setup.py': 'from setuptools import setup\nsetup(name="common", version="1.0", packages=["common"])\n',
  'layers/common/common/__init__.py': 'RATE = 1\n',
  'layers/common/tests/test_rate.py': 'def test():\n    pass\n',
  'layers/common/common.egg-info/PKG-INFO': 'Name: common\nVersion: 1.0\n',
  'layers/tools/build.sh':
    'set -eu\nmkdir -p out/python\nfind . -path ./out -prune -o -type f -print | sort > out/python/seen.txt\ncp tool.py out/python/\n',
  'layers/tools/tool.py': 'X = 1\n',
  'layers/tools/docs/guide.md': '# guide\n',
  'layers/tools/tools.egg-info/PKG-INFO': 'Name: tools\n',
  'services/users/app.py': '',
  'services/orders/app.py': '',
  'services/plain/app.py': '',
};

function repo(layerExtra = ''): GitRepo {
  return GitRepo.create({ 'lambdas.yaml': CONFIG(layerExtra), ...FILES });
}

interface PlanJson {
  functions: { name: string; affected: boolean; reasons: { path: string; rule: string; layer?: string }[] }[];
  layers: { name: string; affected: boolean; reasons: { path: string; rule: string }[] }[];
}

function plan(r: GitRepo, base: string): { functions: string[]; layers: string[]; json: PlanJson } {
  const out = lci(['plan', '--base', base, '--json'], { cwd: r.dir });
  assert.is(out.code, 0, out.stderr);
  const json = JSON.parse(out.stdout) as PlanJson;
  return {
    functions: json.functions.filter((f) => f.affected).map((f) => f.name),
    layers: json.layers.filter((l) => l.affected).map((l) => l.name),
    json,
  };
}

async function layerKeys(dir: string): Promise<Record<string, string>> {
  const loaded = await loadProject({ cwd: dir });
  const builder = new DependencyBuilder(loaded.workspace, () => Promise.reject(new Error('no Docker needed')));
  const out: Record<string, string> = {};
  for (const decl of Object.values(loaded.project.layers))
    out[decl.name] = (await builder.identifyShared(decl.envs.qa!))!.key;
  return out;
}

const p = suite("shared layers: exclude, and what a local dependency's build never reads");

p('a generated *.egg-info in a local dependency affects nothing: its key never hashed it', async () => {
  // Without the tools layer (its exclude is new): the rule is a local dependency's, whatever the layer says.
  const r = GitRepo.create({
    ...FILES,
    'lambdas.yaml': CONFIG()
      .replace(/ {2}tools:\n(?: {4}.*\n)+/, '')
      .replace('layers: [common, tools]', 'layers: [common]'),
  });
  const base = r.head();
  const before = await layerKeys(r.dir);
  r.commit({ 'layers/common/common.egg-info/PKG-INFO': 'Name: common\nVersion: 1.1\n' });
  assert.equal(plan(r, base).functions, []);
  assert.equal(await layerKeys(r.dir), before);
  // A real change to the package still affects the layer and its functions.
  const again = r.head();
  r.commit({ 'layers/common/common/__init__.py': 'RATE = 2\n' });
  const changed = plan(r, again);
  assert.equal(changed.functions, ['users', 'orders']);
  assert.equal(changed.layers, ['common']);
  assert.equal(changed.json.functions[0]!.reasons[0], {
    path: 'layers/common/common/__init__.py',
    rule: 'layer',
    pattern: 'layers/common',
    via: 'layers/common/requirements.txt',
    layer: 'common',
  } as never);
});

p(
  "exclude on a descriptor layer: a change it names affects neither the layer nor its functions, and is not in the layer's key",
  async () => {
    const r = repo('    exclude: ["tests/**"]\n');
    assert.is(lci(['validate'], { cwd: r.dir }).code, 0);
    const base = r.head();
    const before = await layerKeys(r.dir);
    r.commit({ 'layers/common/tests/test_rate.py': 'def test():\n    assert True\n' });
    const after = plan(r, base);
    assert.equal(after.functions, []);
    assert.equal(after.layers, []);
    assert.equal(await layerKeys(r.dir), before);
    // Without the exclude, the same change is an input (the layer installs its whole directory).
    const plain = repo();
    const plainBase = plain.head();
    const plainBefore = await layerKeys(plain.dir);
    plain.commit({ 'layers/common/tests/test_rate.py': 'def test():\n    assert True\n' });
    assert.equal(plan(plain, plainBase).functions, ['users', 'orders']);
    assert.is.not((await layerKeys(plain.dir)).common, plainBefore.common);
  },
);

p('exclude on a build.command layer: plan and the build key leave its docs and egg-info out', async () => {
  const r = repo();
  const base = r.head();
  const before = await layerKeys(r.dir);
  r.commit({ 'layers/tools/docs/guide.md': '# guide, edited\n', 'layers/tools/tools.egg-info/PKG-INFO': 'Name: t\n' });
  assert.equal(plan(r, base).functions, []);
  assert.equal((await layerKeys(r.dir)).tools, before.tools);
  const again = r.head();
  r.commit({ 'layers/tools/tool.py': 'X = 2\n' });
  assert.equal(plan(r, again).functions, ['orders']);
});

p('build.inputs on a build.command layer: a file outside them is no input of the layer', async () => {
  const r = repo();
  const file = join(r.dir, 'lambdas.yaml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      'build: { command: sh build.sh, output: out }',
      'build: { command: sh build.sh, output: out, inputs: [build.sh, tool.py] }',
    ),
  );
  r.commit({}, 'inputs');
  const base = r.head();
  const before = await layerKeys(r.dir);
  r.commit({ 'layers/tools/notes.txt': 'x\n' });
  assert.equal(plan(r, base).functions, []);
  assert.is((await layerKeys(r.dir)).tools, before.tools);
  const again = r.head();
  r.commit({ 'layers/tools/tool.py': 'X = 3\n' });
  assert.equal(plan(r, again).layers, ['tools']);
});

p("exclude is checked like a function's: bounded globs relative to the layer's path, not leaving it", () => {
  for (const [glob, message] of [
    [
      '../other/**',
      "layers.common.exclude[0]: '../other/**' leaves the layer's path; exclude globs are relative to it",
    ],
    ['!tests/**', 'layers.common.exclude[0]: negated globs are not supported here'],
    ['/abs/**', "layers.common.exclude[0]: must be relative to the layer's path, not absolute"],
  ] as const) {
    const r = repo(`    exclude: ["${glob}"]\n`);
    const out = lci(['validate'], { cwd: r.dir });
    assert.is(out.code, 2, glob);
    assert.match(out.stderr, `lambdas.yaml:12:15: ${message}`);
  }
});

p.run();

const docker = suite('shared layers: exclude, in the build container');

docker.before(requireDocker);

docker('a build.command layer never sees what its exclude names', async () => {
  const r = repo();
  const out = lci(['build', 'orders', '--json'], { cwd: r.dir });
  assert.is(out.code, 0, out.stderr + out.stdout);
  const seen = unzipText(join(r.dir, '.lci/dist/_layers/tools/layer.zip'), 'python/seen.txt');
  assert.equal(seen.trim().split('\n'), ['./build.sh', './tool.py']);
});

docker.run();
