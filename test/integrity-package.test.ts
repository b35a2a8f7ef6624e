import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// The code package is what the commit holds: tracked files, plus `include` for build outputs,
// minus excludes. Untracked and ignored files never ship; a laptop and CI give the same bytes.

const HEAD = 'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n';

function zipNames(zip: string): string[] {
  return execFileSync('python3', [
    '-c',
    'import sys,zipfile\nprint("\\n".join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))',
    zip,
  ])
    .toString()
    .trim()
    .split('\n')
    .filter((n) => n !== '');
}

interface Built {
  functions: { name: string; code: { sha256: string; path: string } }[];
}

function build(dir: string): Built {
  const r = lci(['build', '--json'], { cwd: dir, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Built;
}

const tracked = suite('package: what git tracks');

tracked('untracked and ignored files never ship; a fresh clone gives the same CodeSha256', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders, descriptor: false }\n`,
    'svc/orders/app.py': 'def handler(e, c): return 1\n',
    'svc/orders/lib/util.py': 'X = 1\n',
    '.gitignore': '.lci/\nsecret.cfg\n.venv/\n',
  });
  const clean = build(repo.dir).functions[0]!.code.sha256;
  writeTree(repo.dir, {
    'svc/orders/local.json': '{"dev":true}\n',
    'svc/orders/secret.cfg': 'password=hunter2\n',
    'svc/orders/.venv/lib/site.py': 'junk\n',
  });
  const laptop = build(repo.dir).functions[0]!;
  assert.equal(zipNames(join(repo.dir, laptop.code.path)), ['app.py', 'lib/util.py']);
  assert.is(laptop.code.sha256, clean, 'the same commit gives the same bytes, whatever lies around');
  const clone = tempDir('lci-clone-');
  execFileSync('git', ['clone', '-q', repo.dir, clone]);
  assert.is(build(clone).functions[0]!.code.sha256, clean, 'a fresh CI checkout gives the same CodeSha256');
});

tracked(
  'include adds generated files (build outputs) even when git ignores them; a symlink git does not track is not followed',
  () => {
    const outside = tempDir('lci-outside-');
    writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET\n');
    const repo = GitRepo.create({
      'lambdas.yaml': `${HEAD}  web: { path: svc/web, runtime: nodejs20.x, descriptor: false, include: ["dist/**"], exclude: ["src/**"] }\n`,
      'svc/web/src/index.ts': 'export const handler = async () => 1;\n',
      'svc/web/package.json': '{"name":"web"}\n',
      '.gitignore': '.lci/\ndist/\n',
    });
    writeTree(repo.dir, { 'svc/web/dist/index.js': 'exports.handler = async () => 1;\n' });
    symlinkSync(outside, join(repo.dir, 'svc/web/leak'));
    const built = build(repo.dir).functions[0]!;
    assert.equal(zipNames(join(repo.dir, built.code.path)), ['dist/index.js', 'package.json']);
  },
);

tracked(
  'a nodejs function whose package.json builds the layer never ships its own node_modules, even when included',
  () => {
    const repo = GitRepo.create({
      'lambdas.yaml': `${HEAD}  web: { path: svc/web, runtime: nodejs20.x, include: ["node_modules/**"] }\n  bare: { path: svc/bare, runtime: nodejs20.x, descriptor: false }\n`,
      'svc/web/index.js': 'exports.handler = async () => 1;\n',
      'svc/web/package.json': '{"name":"web"}\n',
      'svc/web/node_modules/left-pad/index.js': 'module.exports = 1;\n',
      'svc/bare/index.js': 'exports.handler = async () => require("x");\n',
      'svc/bare/node_modules/x/index.js': 'module.exports = 1;\n',
    });
    const built = build(repo.dir).functions;
    assert.equal(zipNames(join(repo.dir, built[0]!.code.path)), ['index.js', 'package.json']);
    assert.equal(
      zipNames(join(repo.dir, built[1]!.code.path)),
      ['index.js', 'node_modules/x/index.js'],
      'without a layer, committed node_modules are the code',
    );
  },
);

tracked(
  'a symlink inside a local package that leads out of the repository stops the build before any container; the secret reaches nothing',
  () => {
    const outside = tempDir('lci-outside-');
    writeFileSync(join(outside, 'credentials'), 'aws_secret_access_key = TOP-SECRET-VALUE\n');
    const repo = GitRepo.create({
      'lambdas.yaml': `${HEAD}  orders: { path: svc/orders }\n`,
      'svc/orders/app.py': '',
      'svc/orders/requirements.txt': '../../libs/pylib\n',
      'libs/pylib/setup.py': 'from setuptools import setup\nsetup(name="pylib")\n',
    });
    symlinkSync(join(outside, 'credentials'), join(repo.dir, 'libs/pylib/credentials'));
    repo.commit({}, 'a link to a file outside');
    const r = lci(['build', '--json'], { cwd: repo.dir, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
    assert.is(r.code, 1);
    assert.match(
      r.stderr,
      /lci: function orders: libs\/pylib\/credentials is a symlink to .*credentials, outside the repository/,
    );
    assert.not.match(r.stdout + r.stderr, /TOP-SECRET-VALUE/);
    const lci_ = join(repo.dir, '.lci');
    const leaked = spawnSync('grep', ['-rl', 'TOP-SECRET-VALUE', lci_], { encoding: 'utf8' });
    assert.is(leaked.stdout, '', 'no zip, layer or log under .lci holds the secret');
  },
);

function writeTree(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

tracked.run();
