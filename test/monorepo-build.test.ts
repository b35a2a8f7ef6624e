import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lciAsync } from './harness/cli.js';
import { containersCreated, leftoverContainers, requireDocker, TEST_IMAGE } from './harness/docker.js';
import { JOBS, monorepo, WEB_SOURCE } from './harness/monorepo-fixture.js';
import { tempDir } from './harness/tmp.js';

// lci build on the monorepo of issue 13, in the real Docker engine and the local build image: the
// shared layer built once for the seven functions that use it, the same source zipped once per
// distinct content, TypeScript compiled by the function's own build command with the compiler its
// devDependencies name (no registry in the container), a provided.al2023 bootstrap, build.timeout.

interface Zip {
  path: string;
  sha256: string;
}
interface BuildJson {
  functions: {
    name: string;
    status: string;
    error?: string;
    layer?: string;
    code: Zip & { reused: boolean; sameAs?: string };
    deps: (Zip & { source: string }) | null;
    layers: string[];
  }[];
  layers: (Zip & { name: string; status: string; error?: string; key: string; source: string; functions: string[] })[];
}

async function build(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = await lciAsync(['build', '--env', 'qa', '--json', ...args], { cwd: dir, env });
  const containers = await containersCreated(dir, t0, Date.now());
  return { ...r, json: JSON.parse(r.stdout) as BuildJson, containers };
}

function zipNames(zip: string): string[] {
  return execFileSync('unzip', ['-Z1', zip]).toString().trim().split('\n');
}

const byName = (j: BuildJson) => Object.fromEntries(j.functions.map((f) => [f.name, f]));

const docker = suite('monorepo: lci build in a real Docker engine');

docker.before(requireDocker);

docker(
  'every function builds; the shared layer once for its seven functions; three containers in all; nothing again on a second run',
  async () => {
    const repo = await monorepo();
    const first = await build(repo.dir);
    assert.is(first.code, 0, first.stderr + first.stdout);
    const f = byName(first.json);
    assert.equal(
      first.json.functions.map((x) => x.status),
      Array(10).fill('BUILT'),
    );
    assert.is(
      first.containers,
      3,
      'the shared layer, the TypeScript compile, the bootstrap: one container each, counted by the engine',
    );
    const [layer] = first.json.layers;
    assert.equal(
      [layer!.name, layer!.source, layer!.functions],
      ['common-py', 'built', ['users', 'orders', ...JOBS.map((j) => `sync-${j}`)]],
    );
    const inLayer = zipNames(join(repo.dir, layer!.path));
    assert.ok(inLayer.includes('python/acme_common/money.py'), inLayer.join(' '));
    for (const name of ['users', 'sync-echo']) assert.equal(f[name]!.layers, ['common-py']);
    assert.equal(f.health!.layers, []);
    const manifest = JSON.parse(readFileSync(join(repo.dir, '.lci/dist/sync-alpha/manifest.json'), 'utf8')) as {
      layers: { name: string; key: string }[];
    };
    assert.equal(manifest.layers, [{ name: 'common-py', key: layer!.key, sha256: layer!.sha256 }]);

    const second = await build(repo.dir);
    assert.is(second.code, 0, second.stderr);
    assert.is(second.containers, 0, 'the layer from .lci/cache, both build outputs from .lci/cache/build');
    assert.equal(second.json.layers[0]!.source, 'cache');
    assert.ok(second.json.functions.every((x) => x.code.reused));
  },
);

docker(
  'one source, three handlers: zipped once per distinct content (users and orders share a zip; health leaves two files out)',
  async () => {
    const repo = await monorepo();
    const r = await build(repo.dir, ['users', 'orders', 'health']);
    assert.is(r.code, 0, r.stderr);
    const f = byName(r.json);
    const [zipped, copied] = f.users!.code.sameAs ? [f.orders!, f.users!] : [f.users!, f.orders!];
    assert.is(zipped.code.sameAs, undefined);
    assert.is(copied.code.sameAs, zipped.name, 'the second of two same-content functions copies the first one’s zip');
    assert.is(copied.code.sha256, zipped.code.sha256);
    assert.ok(
      readFileSync(join(repo.dir, f.users!.code.path)).equals(readFileSync(join(repo.dir, f.orders!.code.path))),
    );
    assert.equal(zipNames(join(repo.dir, f.users!.code.path)), ['health.py', 'orders.py', 'users.py']);
    assert.equal(zipNames(join(repo.dir, f.health!.code.path)), ['health.py']);
    assert.is(f.health!.code.sameAs, undefined);
  },
);

docker(
  "TypeScript compiled by the function's build command with its own devDependency compiler, offline; only build.output is packaged",
  async () => {
    const repo = await monorepo();
    const r = await build(repo.dir, ['web', 'native']);
    assert.is(r.code, 0, r.stderr);
    const f = byName(r.json);
    assert.equal(zipNames(join(repo.dir, f.web!.code.path)), ['index.js']);
    const js = execFileSync('unzip', ['-p', join(repo.dir, f.web!.code.path), 'index.js']).toString();
    assert.not.match(js, /interface|: string|: Greeting/);
    const dir = tempDir();
    writeFileSync(join(dir, 'index.js'), js);
    const out = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(join(dir, 'index.js'))}).handler({ name: 'lci' }).then((r) => console.log(JSON.stringify(r)))`,
    ]);
    assert.is(out.toString().trim(), '{"message":"hello lci"}', 'the compiled handler runs');
    assert.equal(zipNames(join(repo.dir, f.native!.code.path)), ['bootstrap']);
    const mode = execFileSync('unzip', ['-Z', join(repo.dir, f.native!.code.path), 'bootstrap']).toString();
    assert.match(mode, /^-rwxr-xr-x/, 'the bootstrap keeps its executable bit');
    assert.is(
      execFileSync('git', ['status', '--porcelain'], { cwd: repo.dir }).toString(),
      '',
      'the build wrote nothing into the work tree',
    );

    // A changed source rebuilds only that function's output.
    repo.commit({ 'services/web/src/index.ts': WEB_SOURCE.replace('hello', 'hi') });
    const again = await build(repo.dir, ['web', 'native']);
    assert.is(again.code, 0, again.stderr);
    assert.is(again.containers, 1);
    assert.match(
      execFileSync('unzip', ['-p', join(repo.dir, f.web!.code.path), 'index.js']).toString(),
      /`hi \$\{name\}`/,
    );
  },
);

docker(
  "a build command runs as written (quotes, $), sees none of lci's environment, and only build.output leaves the container",
  async () => {
    const command = `printf '%s\\n' "it's \\$HOME: $HOME" > out/quoted.txt; env > out/env.txt; echo leaked > ../../escaped.txt; touch /src/touched 2>/dev/null || echo read-only > out/src.txt`;
    const repo = await monorepo(`  odd:
    path: services/native
    runtime: provided.al2023
    build: { command: ${JSON.stringify(`mkdir -p out && ${command} && sh build.sh`)}, output: out }
`);
    const r = await build(repo.dir, ['odd'], { AWS_SECRET_ACCESS_KEY: 'do-not-leak', LCI_SECRET_TOKEN: 'nope' });
    assert.is(r.code, 0, r.stderr);
    const zip = join(repo.dir, byName(r.json).odd!.code.path);
    const text = (name: string) => execFileSync('unzip', ['-p', zip, name]).toString();
    assert.is(text('quoted.txt'), "it's $HOME: /tmp\n");
    assert.not.match(text('env.txt'), /do-not-leak|LCI_SECRET_TOKEN/);
    assert.is(text('src.txt'), 'read-only\n');
    assert.not.ok(zipNames(zip).includes('escaped.txt'));
    assert.is(execFileSync('git', ['status', '--porcelain'], { cwd: repo.dir }).toString(), '');
  },
);

docker('build.timeout stops a build that hangs: one clear line, exit 1, its container removed', async () => {
  const repo = await monorepo(`  hangs:
    path: services/native
    runtime: provided.al2023
    build: { command: "sleep 600", output: out, timeout: 3s }
`);
  const t0 = Date.now();
  const r = await lciAsync(['build', 'hangs'], { cwd: repo.dir });
  const took = Date.now() - t0;
  assert.is(r.code, 1, r.stderr);
  const line = r.stderr.split('\n').find((l) => l.includes('build.timeout'))!;
  assert.match(
    line,
    /^lci: function hangs: build\.command did not finish within build\.timeout 3s: lci stopped it and removed its container; raise build\.timeout in lambdas\.yaml/,
  );
  assert.ok(took < 60_000, `stopped after ${took} ms, not after the command's 600 s`);
  assert.is(await leftoverContainers(repo.dir), 0);
  assert.ok(statSync(join(repo.dir, '.lci/logs')).isDirectory());
});

docker(
  "a shared layer's failed build.command is the layer's, named once and listed in --json; its functions say they were stopped by it",
  async () => {
    const repo = await monorepo();
    const config = readFileSync(join(repo.dir, 'lambdas.yaml'), 'utf8').replace(
      '    layerName: "common-py-${env}"\n',
      '    layerName: "common-py-${env}"\n    descriptor: false\n    build: { command: "echo no wheel here >&2; exit 3", output: python }\n',
    );
    repo.commit({ 'lambdas.yaml': config });
    const r = await build(repo.dir, ['users', 'orders', 'health']);
    assert.is(r.code, 1, r.stderr);
    const f = byName(r.json);
    assert.equal(
      [f.users!.status, f.users!.error, f.users!.layer],
      ['FAILED', 'not built: shared layer common-py failed', 'common-py'],
    );
    assert.equal([f.orders!.status, f.orders!.layer], ['FAILED', 'common-py']);
    assert.is(f.health!.status, 'BUILT', 'a function without the layer builds');
    assert.equal(r.json.layers.length, 1, JSON.stringify(r.json.layers));
    const [layer] = r.json.layers;
    assert.equal([layer!.name, layer!.status, layer!.functions], ['common-py', 'FAILED', ['users', 'orders']]);
    assert.match(layer!.error!, /^build\.command failed in .*: exit status 3/);
    assert.match(layer!.error!, /\| no wheel here/);
    const lines = r.stderr.split('\n');
    assert.is(lines.filter((l) => l.startsWith('lci: shared layer common-py: build.command failed')).length, 1);
    assert.is(lines.filter((l) => /build\.command failed/.test(l)).length, 1, 'said once, for the layer');
    assert.ok(lines.includes('lci: function users: not built: shared layer common-py failed'), r.stderr);
    assert.ok(lines.includes('lci: function orders: not built: shared layer common-py failed'), r.stderr);
    assert.is(r.containers, 1, 'the layer ran once');
  },
);

docker(
  'a shared layer whose every requirement environment markers leave out fails the build instead of shipping an empty layer',
  async () => {
    const repo = await monorepo();
    // The layer is built for python3.12 (validate agrees), but in an image whose python is 3.11: pip leaves it all out.
    repo.commit({
      'layers/common-py/requirements.txt':
        '../../libs/dist/acme_common-1.0.0-py3-none-any.whl ; python_version == "3.12"\n',
    });
    const r = await build(repo.dir, ['users']);
    assert.is(r.code, 1, r.stderr);
    assert.equal([r.json.functions[0]!.status, r.json.functions[0]!.layer], ['FAILED', 'common-py']);
    const [layer] = r.json.layers;
    assert.is(layer!.status, 'FAILED');
    assert.ok(
      layer!.error!.startsWith(
        `the dependency build installed nothing from layers/common-py/requirements.txt, so the layer would be empty: pip left out acme-common, whose environment markers (python_version == "3.12") do not match the python of ${TEST_IMAGE}; `,
      ),
      layer!.error,
    );
    assert.not.ok(existsSync(join(repo.dir, '.lci/dist/_layers/common-py/layer.zip')), 'no empty layer in dist');
    const again = await build(repo.dir, ['users']);
    assert.is(again.code, 1, 'nothing empty was cached either');
    assert.is(again.json.layers[0]!.status, 'FAILED');
  },
);

docker.run();
