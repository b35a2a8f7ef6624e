import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadProject } from '../src/config/load.js';
import { BUILD_LIMITS, parseMemory } from '../src/config/resolve.js';
import { parseConfigText } from '../src/config/source.js';
import { closest } from '../src/config/suggest.js';
import { writeTree } from './harness/files.js';
import { GitRepo } from './harness/git-repo.js';
import { runMain } from './harness/run-main.js';
import { tempDir } from './harness/tmp.js';

const MINIMAL =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: svc }\n';

const find = suite('config: finding the file');

find('searches upward from the working directory for lambdas.yaml, lambdas.yml and .lcirc*', async () => {
  for (const name of ['lambdas.yaml', 'lambdas.yml', '.lcirc', '.lcirc.yaml', '.lcirc.json']) {
    const repo = GitRepo.create({
      [name]:
        name === '.lcirc.json'
          ? JSON.stringify({
              version: 1,
              artifacts: { bucket: 'acme-artifacts' },
              environments: { qa: { branch: 'main' } },
              functions: { orders: { path: 'svc' } },
            })
          : MINIMAL,
      'svc/deep/x.py': '',
    });
    const loaded = await loadProject({ cwd: join(repo.dir, 'svc/deep') });
    assert.is(loaded.project.configFile, join(repo.dir, name), name);
    assert.is(loaded.source.displayPath, `../../${name}`);
  }
});

find('package.json#lci, with positions inside package.json', async () => {
  const pkg =
    '{\n  "name": "mono",\n  "lci": {\n    "version": 1,\n    "artifacts": { "bucket": "acme-artifacts" },\n    "environments": { "qa": { "branch": "main" } },\n    "functions": { "orders": { "path": "svc", "runtime": "python2" } }\n  }\n}\n';
  const repo = GitRepo.create({ 'package.json': pkg, 'svc/x.py': '' });
  const r = await runMain(['validate'], join(repo.dir, 'svc'));
  assert.is(r.code, 2);
  assert.match(r.err[0]!, /^\.\.\/package\.json:7:58: functions\.orders\.runtime: 'python2' is not supported/);
});

find('a package.json without "lci" is passed over', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': MINIMAL, 'svc/package.json': '{"name":"svc"}', 'svc/x.py': '' });
  const loaded = await loadProject({ cwd: join(repo.dir, 'svc') });
  assert.is(loaded.project.configFile, join(repo.dir, 'lambdas.yaml'));
});

find('the search stops at the repository root', async () => {
  const outer = tempDir();
  writeTree(outer, { 'lambdas.yaml': MINIMAL });
  const repo = new GitRepo(join(outer, 'repo'));
  writeTree(repo.dir, { 'README.md': 'x' });
  repo.git('init', '-q');
  const r = await runMain(['validate'], repo.dir);
  assert.is(r.code, 2);
  assert.match(
    r.err[0]!,
    /^lci: no lambdas\.yaml found in .* up to .*repo; write one \(lci init, or docs\/configuration\.md\) or pass --config FILE$/,
  );
});

find('--config names the file; a missing one is a usage error', async () => {
  const repo = GitRepo.create({
    'deploy/functions.yaml': MINIMAL.replace('path: svc', 'path: ../svc'),
    'svc/x.py': '',
  });
  const ok = await runMain(['validate', '--config', 'deploy/functions.yaml'], repo.dir);
  assert.is(ok.code, 0, ok.err.join('\n'));
  assert.equal(ok.out, ['deploy/functions.yaml: ok (1 function, 1 environment)']);
  const missing = await runMain(['validate', '--config', 'nope.yaml'], repo.dir);
  assert.is(missing.code, 2);
  assert.is(missing.err[0], 'lci: config file not found: nope.yaml; pass an existing file to --config');
});

const resolve = suite('config: resolution');

resolve('defaults < defaults per environment < function < function per environment; lists accumulate', async () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  runtime: python3.11
  watch: [libs/a/**]
  functionName: "\${name}-\${env}"
  environments:
    prod: { architecture: arm64, functionName: "\${name}" }
environments:
  qa: { branch: main }
  prod: { tag: "v*", alias: live }
functions:
  orders:
    path: svc/orders/
    watch: [libs/b/**]
    layerName: "\${functionName}-layer"
    environments:
      prod: { runtime: python3.13, watch: [libs/c/**] }
  web:
    path: ./svc/web
    runtime: nodejs22.x
    environments: { qa: false }
`,
    'svc/orders/app.py': '',
    'svc/web/package.json': '{}',
  });
  const { project } = await loadProject({ cwd: repo.dir });
  const qa = project.functions.orders!.envs.qa!;
  const prod = project.functions.orders!.envs.prod!;
  assert.equal(
    {
      path: qa.path,
      runtime: qa.runtime,
      arch: qa.architecture,
      name: qa.functionName,
      layer: qa.layerName,
      watch: qa.watch,
      alias: qa.alias,
      descriptor: qa.descriptor,
    },
    {
      path: 'svc/orders',
      runtime: 'python3.11',
      arch: 'x86_64',
      name: 'orders-qa',
      layer: 'orders-qa-layer',
      watch: ['libs/a/**', 'libs/b/**'],
      alias: 'qa',
      descriptor: 'requirements.txt',
    },
  );
  assert.equal(
    {
      runtime: prod.runtime,
      arch: prod.architecture,
      name: prod.functionName,
      layer: prod.layerName,
      watch: prod.watch,
      alias: prod.alias,
    },
    {
      runtime: 'python3.13',
      arch: 'arm64',
      name: 'orders',
      layer: 'orders-layer',
      watch: ['libs/a/**', 'libs/b/**', 'libs/c/**'],
      alias: 'live',
    },
  );
  assert.equal(Object.keys(project.functions.web!.envs), ['prod']);
  assert.is(project.functions.web!.envs.prod!.descriptor, 'package.json');
  assert.is(project.functions.web!.envs.prod!.layerName, 'web-deps');
  assert.is(project.artifacts.prefix, 'lambda-ci');
});

resolve('build limits: documented defaults; memory, pids and network replace per level, build.env merges', async () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  build: { memory: 1G, env: { A: a } }
environments:
  qa: { branch: main }
  prod: { tag: "v*" }
functions:
  orders:
    path: svc
    build: { pids: 64, env: { B: b } }
    environments:
      prod: { build: { memory: 512m, network: none } }
  plain:
    path: svc
    build: { memory: 2g }
`,
    'svc/app.py': '',
  });
  const { project } = await loadProject({ cwd: repo.dir });
  const build = (fn: string, env: string) => project.functions[fn]!.envs[env]!.build;
  const step = { command: null, output: null, timeout: '15m', workdir: null, inputs: null };
  assert.equal(build('orders', 'qa'), {
    image: null,
    env: { A: 'a', B: 'b' },
    memory: '1g',
    pids: 64,
    network: 'default',
    ...step,
  });
  assert.equal(build('orders', 'prod'), {
    image: null,
    env: { A: 'a', B: 'b' },
    memory: '512m',
    pids: 64,
    network: 'none',
    ...step,
  });
  assert.equal(build('plain', 'qa'), {
    image: null,
    env: { A: 'a' },
    memory: '2g',
    pids: 1024,
    network: 'default',
    ...step,
  });
  assert.equal(BUILD_LIMITS, { memory: '2g', pids: 1024, network: 'default', timeout: '15m' });
  assert.is(parseMemory('512m'), 512 * 1024 ** 2);
  assert.is(parseMemory('2g'), 2 * 1024 ** 3);
});

resolve('a default descriptor that does not exist means no dependencies; a named one must exist', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': MINIMAL, 'svc/app.py': '' });
  const r = await runMain(['validate'], repo.dir);
  assert.is(r.code, 0, r.err.join('\n'));
});

resolve('did you mean: close names only', () => {
  assert.is(closest('handlr', ['path', 'handler']), 'handler');
  assert.is(closest('path', ['watch', 'runtime']), undefined);
  assert.is(closest('prd', ['qa', 'prod']), 'prod');
});

resolve('the fast parser (js-yaml) and the positional one (yaml) read every config the same', () => {
  const require = createRequire(import.meta.url);
  const YAML = require('yaml') as typeof import('yaml');
  const dir = new URL('./fixtures/bad-configs/', import.meta.url);
  const texts = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8'));
  texts.push(readFileSync(new URL('../examples/monorepo/lambdas.yaml', import.meta.url), 'utf8'));
  texts.push('a: &x { b: 1 }\nc:\n  <<: *x\n  d: "2"\nt: 2001-12-14\nn: ~\nbool: [true, false, yes, no]\n');
  let compared = 0;
  for (const text of texts) {
    const doc = YAML.parseDocument(text, { merge: true, uniqueKeys: true });
    if (doc.errors.length > 0) continue;
    const source = parseConfigText(text, '/x/lambdas.yaml', 'lambdas.yaml');
    assert.equal(source.data, doc.toJS(), text.slice(0, 60));
    compared++;
  }
  assert.ok(compared >= 30, `compared ${compared}`);
});

find.run();
resolve.run();
