import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from './harness/cli.js';
import { packed } from './harness/packed.js';
import { tempDir } from './harness/tmp.js';

// lci's own install in a generated build (templates/ci/lci-install.mjs, which the buildspecs run):
// from a monorepo's lockfile that pins lci among many other packages, only lambda-ci and what it
// requires, at the pinned versions and integrity, installed by npm ci in a directory of its own;
// used as it is when that directory already holds exactly that install (the build cache). npm
// works offline here, from the cache this repository's own npm ci filled (every package lci needs
// is a dependency of this repository); lci itself is `npm pack` of this checkout.

const SCRIPT = join(REPO_ROOT, 'templates/ci/lci-install.mjs');
const ROOT_PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const ROOT_LOCK = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8'));

interface Monorepo {
  dir: string;
  lock: { packages: Record<string, Record<string, unknown>> };
}

/**
 * A monorepo whose lockfile is this repository's (some 300 packages: the dev tools and lci's
 * dependencies) with lambda-ci added as a devDependency from a tarball beside it.
 */
function monorepo(): Monorepo {
  const dir = tempDir('lci-monorepo-');
  const { file, integrity } = packed();
  const name = file.split('/').at(-1)!;
  writeFileSync(join(dir, name), readFileSync(file));
  const devDependencies = { ...ROOT_PACKAGE.devDependencies, 'lambda-ci': `file:${name}` };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'acme', private: true, devDependencies }));
  const packages: Record<string, Record<string, unknown>> = {};
  for (const [key, entry] of Object.entries(ROOT_LOCK.packages as Record<string, Record<string, unknown>>))
    if (key !== '') packages[key] = { ...entry, dev: true };
  packages[''] = { name: 'acme', devDependencies };
  packages['node_modules/lambda-ci'] = {
    version: ROOT_PACKAGE.version,
    resolved: `file:${name}`,
    integrity,
    dev: true,
    license: 'MIT',
    dependencies: ROOT_PACKAGE.dependencies,
    bin: { lci: 'bin/lci.js' },
    engines: ROOT_PACKAGE.engines,
  };
  const lock = { name: 'acme', lockfileVersion: 3, requires: true, packages };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return { dir, lock };
}

function install(cwd: string, toolDir: string) {
  const r = spawnSync(process.execPath, [SCRIPT, toolDir], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' },
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const installs = suite("generate: lci's own install, from the lockfile, of lci and what it needs");

installs(
  'installs lambda-ci and its dependencies at the pinned versions, nothing else of the lockfile; the second build reuses it',
  () => {
    const repo = monorepo();
    const tool = join(tempDir('lci-tool-'), 'lambda-ci');
    const first = install(repo.dir, tool);
    assert.is(first.code, 0, first.stderr);
    // lci's dependencies and what they pull in, as this repository's lockfile has them without its dev tools
    const prod = Object.entries(ROOT_LOCK.packages as Record<string, { dev?: boolean }>).filter(
      ([k, e]) => k !== '' && !e.dev,
    );
    assert.match(
      first.stdout,
      new RegExp(
        `^lci-install: lambda-ci ${ROOT_PACKAGE.version} and the ${prod.length} packages it needs, as package-lock.json pins them: installed in `,
        'm',
      ),
      first.stdout + first.stderr,
    );
    const needed = new Set(prod.map(([k]) => k));
    const devOnly = Object.keys(ROOT_PACKAGE.devDependencies).filter((d) => !needed.has(`node_modules/${d}`));
    assert.ok(devOnly.length >= 8, devOnly.join(' '));
    for (const dev of devOnly)
      assert.not.ok(existsSync(join(tool, 'node_modules', dev)), `${dev}: a dev tool of the monorepo, not lci's`);
    for (const [key, entry] of prod) {
      const pkg = join(tool, key, 'package.json');
      assert.ok(existsSync(pkg), key);
      assert.is(JSON.parse(readFileSync(pkg, 'utf8')).version, (entry as { version: string }).version, key);
    }
    const version = spawnSync(join(tool, 'node_modules/.bin/lci'), ['--version'], { encoding: 'utf8' });
    assert.is(version.stdout.trim(), ROOT_PACKAGE.version, version.stderr);
    // The next build, its cache restored: nothing to do.
    const again = install(repo.dir, tool);
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, /: installed already in .* \(the build cache\)\n$/);
    // Another dev tool changes in the lockfile: lci's install is still the same.
    repo.lock.packages['node_modules/uvu'] = { ...repo.lock.packages['node_modules/uvu'], version: '0.5.5' };
    writeFileSync(join(repo.dir, 'package-lock.json'), JSON.stringify(repo.lock));
    assert.match(install(repo.dir, tool).stdout, /installed already/);
  },
);

installs('what it cannot install from is one line, exit 1, and says what to do', () => {
  const tool = join(tempDir('lci-tool-'), 'lambda-ci');
  const none = tempDir('lci-monorepo-');
  const cases: [string, (dir: string, lock: Monorepo['lock']) => void, RegExp][] = [
    [
      'no lockfile',
      () => {},
      /^lci-install: no package-lock\.json at the repository root; pin lci at the repository root \(npm install --save-dev lambda-ci\) and commit the lockfile, or install lci your way with ci\.install and ci\.command in lambdas\.yaml\n$/,
    ],
    [
      'lci is not in it',
      (dir, lock) => {
        delete lock.packages['node_modules/lambda-ci'];
        writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
      },
      /^lci-install: package-lock\.json pins no lambda-ci at node_modules\/lambda-ci; pin lci/,
    ],
    [
      'a lockfile of npm 6',
      (dir) => writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 1, dependencies: {} })),
      /^lci-install: package-lock\.json has no "packages" \(lockfileVersion 1\); npm 7 or later writes them: run npm install\n$/,
    ],
    [
      'an entry lci requires is missing',
      (dir, lock) => {
        delete lock.packages['node_modules/picomatch'];
        writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
      },
      /^lci-install: package-lock\.json is incomplete: node_modules\/lambda-ci requires picomatch, which it does not hold; run npm install\n$/,
    ],
  ];
  for (const [what, change, message] of cases) {
    const repo = what === 'no lockfile' ? { dir: none, lock: { packages: {} } } : monorepo();
    change(repo.dir, repo.lock);
    const r = install(repo.dir, tool);
    assert.is(r.code, 1, what);
    assert.match(r.stderr, message, what);
    assert.not.ok(existsSync(join(tool, 'node_modules')), `${what}: nothing installed`);
  }
});

installs.run();
