// Installs lci, and only what running it needs, at the versions the repository's lockfile pins:
// the lockfile entries of lambda-ci and of every package it requires (found as Node finds them
// from node_modules/lambda-ci), written as a lockfile of their own in TOOL_DIR and installed there
// with npm ci (integrity checked, no install scripts). A TOOL_DIR that already holds exactly that
// install (the build cache) is used as it is. Run from the repository root: node lci-install.mjs TOOL_DIR
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const PACKAGE = 'lambda-ci';
const ENTRY = `node_modules/${PACKAGE}`;
const MARK = '.lci-installed';
const HOW =
  'pin lci at the repository root (npm install --save-dev lambda-ci) and commit the lockfile, or install lci your way with ci.install and ci.command in lambdas.yaml';

function fail(message) {
  process.stderr.write(`lci-install: ${message}\n`);
  process.exit(1);
}

function readLock(root) {
  for (const name of ['npm-shrinkwrap.json', 'package-lock.json']) {
    const file = join(root, name);
    if (!existsSync(file)) continue;
    let lock;
    try {
      lock = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      fail(`${name} is not JSON (${e.message})`);
    }
    if (!lock || typeof lock.packages !== 'object' || lock.packages === null)
      fail(
        `${name} has no "packages" (lockfileVersion ${lock?.lockfileVersion}); npm 7 or later writes them: run npm install`,
      );
    return { name, packages: lock.packages };
  }
  return fail(`no package-lock.json at the repository root; ${HOW}`);
}

/** Where Node finds `name` from the package at `from`: its own node_modules, then each enclosing one up to the root's. */
function resolveFrom(packages, from, name) {
  let base = from;
  for (;;) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[key]) return key;
    if (base === '') return null;
    const up = base.lastIndexOf('/node_modules/');
    base = up < 0 ? '' : base.slice(0, up);
  }
}

/** lambda-ci's entry and, transitively, the entries of everything it requires, by lockfile key. */
function closure(lock) {
  const { name, packages } = lock;
  if (!packages[ENTRY]) fail(`${name} pins no ${PACKAGE} at ${ENTRY}; ${HOW}`);
  const needed = new Map();
  const queue = [ENTRY];
  while (queue.length > 0) {
    const key = queue.shift();
    if (needed.has(key)) continue;
    const entry = packages[key];
    if (entry.link) fail(`${key} is a link (a workspace or a directory), which lci-install does not copy; ${HOW}`);
    needed.set(key, entry);
    const optionalPeer = (dep) => entry.peerDependenciesMeta?.[dep]?.optional === true;
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}).map((dep) => [dep, false]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((dep) => [dep, true]),
      ...Object.keys(entry.peerDependencies ?? {}).map((dep) => [dep, optionalPeer(dep)]),
    ];
    for (const [dep, optional] of wanted) {
      const found = resolveFrom(packages, key, dep);
      if (found) queue.push(found);
      else if (!optional)
        fail(`${name} is incomplete: ${key} requires ${dep}, which it does not hold; run npm install`);
    }
  }
  return needed;
}

/** package.json and package-lock.json of the tool directory: lambda-ci as its one dependency, every entry as pinned. */
function toolFiles(root, toolDir, needed) {
  const local = (resolved) => `file:${relative(toolDir, resolve(root, resolved.slice('file:'.length))) || '.'}`;
  const lci = needed.get(ENTRY);
  const spec = typeof lci.resolved === 'string' && lci.resolved.startsWith('file:') ? local(lci.resolved) : lci.version;
  const pkg = { name: 'lci-tool', version: '0.0.0', private: true, dependencies: { [PACKAGE]: spec } };
  const packages = { '': { name: pkg.name, version: pkg.version, dependencies: pkg.dependencies } };
  for (const key of [...needed.keys()].sort()) {
    // Here lci is what is installed: nothing of it is a development dependency.
    const { dev, devOptional, peer, ...entry } = needed.get(key);
    if (typeof entry.resolved === 'string' && entry.resolved.startsWith('file:'))
      entry.resolved = local(entry.resolved);
    packages[key] = entry;
  }
  const lock = { name: pkg.name, version: pkg.version, lockfileVersion: 3, requires: true, packages };
  return { pkg: `${JSON.stringify(pkg, null, 2)}\n`, lock: `${JSON.stringify(lock, null, 2)}\n` };
}

const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : null);

if (process.argv.length !== 3 || !process.argv[2]) fail('usage: lci-install TOOL_DIR (run from the repository root)');
const toolDir = resolve(process.argv[2]);
const root = process.cwd();
const lock = readLock(root);
const needed = closure(lock);
const files = toolFiles(root, toolDir, needed);
const key = createHash('sha256').update(files.lock).digest('hex');
const what = `${PACKAGE} ${needed.get(ENTRY).version} and the ${needed.size - 1} packages it needs, as ${lock.name} pins them`;
if (read(join(toolDir, MARK)) === key && existsSync(join(toolDir, 'node_modules/.bin/lci'))) {
  process.stdout.write(`lci-install: ${what}: installed already in ${toolDir} (the build cache)\n`);
  process.exit(0);
}
const started = Date.now();
rmSync(join(toolDir, MARK), { force: true });
mkdirSync(toolDir, { recursive: true });
writeFileSync(join(toolDir, 'package.json'), files.pkg);
writeFileSync(join(toolDir, 'package-lock.json'), files.lock);
// The registry and its credentials, as the repository configures npm.
if (existsSync(join(root, '.npmrc'))) copyFileSync(join(root, '.npmrc'), join(toolDir, '.npmrc'));
const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline'], {
  cwd: toolDir,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (npm.error) fail(`npm could not run: ${npm.error.message}`);
if (npm.status !== 0) fail(`npm ci in ${toolDir} failed (exit ${npm.status ?? npm.signal})`);
writeFileSync(join(toolDir, MARK), key);
process.stdout.write(
  `lci-install: ${what}: installed in ${toolDir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
