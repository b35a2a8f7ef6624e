import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DependencyBuilder } from '../src/builder/dependency-builder.js';
import { buildScript } from '../src/builder/recipes.js';
import { loadProject } from '../src/config/load.js';
import { buildJson, unzipText, zipNames } from './harness/build-project.js';
import { lci } from './harness/cli.js';
import { requireDocker, TEST_IMAGE } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';

// build.workdir: pip's working directory. A repository that runs pip from its service directory
// writes its requirements' path lines relative to that directory, not to the requirements file.

/** The shape of the public repository: functions below a service, pip run from the service, a shared package beside it. */
function config(workdir: string | null, extra = ''): string {
  return `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  build: { image: "${TEST_IMAGE}", network: none }
environments:
  qa: { branch: main }
functions:
  create-order:
    path: services/orders/functions/create
    handler: app.handler
${workdir === null ? '' : `    build: { workdir: ${JSON.stringify(workdir)} }\n`}  list-orders:
    path: services/orders/functions/list
    handler: app.handler
${extra}`;
}

const SERVICE = {
  'services/orders/functions/create/app.py': 'from ecom import RATE\n',
  // relative to services/orders, where the repository runs pip
  'services/orders/functions/create/requirements.txt': '../shared/src/ecom/\n',
  'services/orders/functions/list/app.py': 'def handler(e, c):\n    return []\n',
  'services/shared/src/ecom/setup.py':
    'from setuptools import setup\nsetup(name="ecom", version="1.0", packages=["ecom"])\n',
  'services/shared/src/ecom/ecom/__init__.py': 'RATE = 7\n',
};

function repoWith(workdir: string | null, extra: Record<string, string> = {}, more = ''): GitRepo {
  return GitRepo.create({ 'lambdas.yaml': config(workdir, more), ...SERVICE, ...extra });
}

interface PlanJson {
  functions: {
    name: string;
    affected: boolean;
    reasons: { path: string; rule: string; pattern?: string; via?: string }[];
  }[];
}

const cfg = suite('build.workdir: validate and plan');

cfg(
  'without build.workdir the path line resolves against the descriptor and names nothing: validate says where pip runs',
  () => {
    const repo = repoWith(null);
    const r = lci(['validate'], { cwd: repo.dir });
    assert.is(r.code, 2, r.stdout);
    assert.match(
      r.stderr,
      'services/orders/functions/create/requirements.txt:1:1: services/orders/functions/shared/src/ecom does not exist (resolved against services/orders/functions/create, the directory lci runs pip in; if the repository runs pip elsewhere, set build.workdir)',
    );
  },
);

cfg('with build.workdir the path line resolves there; plan sees a change under it as a local dependency', () => {
  const repo = repoWith('../..');
  const ok = lci(['validate'], { cwd: repo.dir });
  assert.is(ok.code, 0, ok.stderr);
  const base = repo.head();
  repo.commit({ 'services/shared/src/ecom/ecom/__init__.py': 'RATE = 8\n' });
  const r = lci(['plan', '--base', base, '--json'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout) as PlanJson;
  const create = plan.functions.find((f) => f.name === 'create-order')!;
  assert.ok(create.affected);
  assert.equal(create.reasons[0], {
    path: 'services/shared/src/ecom/ecom/__init__.py',
    rule: 'local-dependency',
    pattern: 'services/shared/src/ecom',
    via: 'services/orders/functions/create/requirements.txt',
  });
  assert.not.ok(plan.functions.find((f) => f.name === 'list-orders')!.affected);
});

cfg("a shared layer's workdir, relative to its path: its path lines resolve there, in validate and plan", () => {
  const repo = GitRepo.create({
    ...SERVICE,
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
environments:
  qa: { branch: main }
layers:
  ecom:
    path: services/orders/layer
    runtimes: [python3.12]
    build: { workdir: .. }
functions:
  list-orders:
    path: services/orders/functions/list
    handler: app.handler
    layers: [ecom]
`,
    'services/orders/layer/requirements.txt': '../shared/src/ecom/\n',
  });
  const ok = lci(['validate'], { cwd: repo.dir });
  assert.is(ok.code, 0, ok.stderr);
  const base = repo.head();
  repo.commit({ 'services/shared/src/ecom/ecom/__init__.py': 'RATE = 8\n' });
  const r = lci(['plan', '--base', base, '--json'], { cwd: repo.dir });
  const plan = JSON.parse(r.stdout) as PlanJson & { layers: { name: string; affected: boolean }[] };
  assert.equal(plan.layers, [
    {
      name: 'ecom',
      affected: true,
      reasons: [
        {
          path: 'services/shared/src/ecom/ecom/__init__.py',
          rule: 'local-dependency',
          pattern: 'services/shared/src/ecom',
          via: 'services/orders/layer/requirements.txt',
        },
      ],
      reasonCount: 1,
    },
  ] as never);
  assert.equal(plan.functions[0]!.reasons[0]!.rule, 'layer');
});

cfg(
  'a workdir is a directory of the repository: leaving it, absolute, missing, through a symlink out, on nodejs: one located line each',
  () => {
    const cases: [string, RegExp][] = [
      [
        '../../../../..',
        /^lambdas\.yaml:11:23: functions\.create-order\.build\.workdir: '\.\.\/\.\.\/\.\.\/\.\.\/\.\.' leaves the repository \(build\.workdir is relative to the path 'services\/orders\/functions\/create'\), and the dependency build sees only the repository$/m,
      ],
      [
        '/tmp',
        /^lambdas\.yaml:11:23: functions\.create-order\.build\.workdir: must be relative to the function's path, not absolute$/m,
      ],
      [
        'nowhere',
        /^lambdas\.yaml:11:23: functions\.create-order\.build\.workdir: 'nowhere' \(services\/orders\/functions\/create\/nowhere\) is not a directory of the repository; build\.workdir is relative to the path and names where pip runs$/m,
      ],
    ];
    for (const [workdir, expected] of cases) {
      const repo = repoWith(workdir);
      const r = lci(['validate'], { cwd: repo.dir });
      assert.is(r.code, 2, `${workdir}: ${r.stdout}`);
      assert.match(r.stderr, expected, r.stderr);
      assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const linked = repoWith('out');
    symlinkSync('/tmp', join(linked.dir, 'services/orders/functions/create/out'));
    const r = lci(['validate'], { cwd: linked.dir });
    assert.is(r.code, 2);
    assert.match(
      r.stderr,
      /functions\.create-order\.build\.workdir: 'out' resolves to \/tmp, outside the repository \(a symlink\?\)/,
    );

    const node = GitRepo.create({
      'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
environments:
  qa: { branch: main }
functions:
  web:
    path: web
    runtime: nodejs22.x
    build: { workdir: .. }
`,
      'web/index.js': '',
    });
    const n = lci(['validate'], { cwd: node.dir });
    assert.is(n.code, 2);
    assert.match(
      n.stderr,
      "lambdas.yaml:9:23: functions.web.build.workdir: build.workdir is pip's working directory, and npm resolves file: dependencies against the package.json that names them, so it has no meaning for nodejs; remove it",
    );
  },
);

cfg("the workdir is part of the dependency key; naming the descriptor's own directory changes nothing", async () => {
  const keyOf = async (workdir: string | null) => {
    const repo = GitRepo.create({
      'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
environments:
  qa: { branch: main }
functions:
  api:
    path: services/api/src
${workdir === null ? '' : `    build: { workdir: ${workdir} }\n`}`,
      'services/api/src/app.py': '',
      'services/api/src/requirements.txt': 'requests==2.32.0\n',
    });
    const loaded = await loadProject({ cwd: repo.dir });
    const r = loaded.project.functions.api!.envs.qa!;
    const builder = new DependencyBuilder(loaded.workspace, () => Promise.reject(new Error('no Docker needed')));
    return (await builder.identify(r))!;
  };
  const plain = await keyOf(null);
  const own = await keyOf('.');
  const service = await keyOf('..');
  assert.is(own.key, plain.key, "the descriptor's own directory is the default");
  assert.is(own.inputs.workdir, undefined);
  assert.is(service.inputs.workdir, 'services/api');
  assert.is.not(service.key, plain.key, 'the same files installed from another directory: another key');
  assert.is(
    buildScript('python', 'services/orders/functions/create/requirements.txt', false, 'x86_64', 'services/orders')
      .split('\n')
      .slice(-3)
      .join('\n'),
    'mkdir -p /tmp/build/services/orders\ncd /tmp/build/services/orders\npython3 -m pip install --no-compile --target /out/python -r functions/create/requirements.txt',
  );
});

cfg.run();

const docker = suite('build.workdir: the dependency build runs pip there, offline');

docker.before(requireDocker);

docker(
  'the shared package the path line names (relative to the workdir) is staged and installed with build.network: none',
  async () => {
    const repo = repoWith('../..');
    const { json, code, stderr } = buildJson(repo, ['create-order']);
    assert.is(code, 0, stderr);
    const deps = join(repo.dir, json.functions[0]!.deps!.path);
    assert.ok(zipNames(deps).includes('python/ecom/__init__.py'), zipNames(deps).join(' '));
    assert.is(unzipText(deps, 'python/ecom/__init__.py'), 'RATE = 7\n');
  },
);

docker(
  'a workdir named with spaces, quotes and $(…) reaches the container as one quoted path: pip runs there, nothing is executed',
  async () => {
    const weird = `we ird $(echo INJECTED>&2) 'q" \`echo TICK>&2\``;
    const repo = GitRepo.create({
      'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  build: { image: "${TEST_IMAGE}", network: none }
environments:
  qa: { branch: main }
functions:
  svc:
    path: svc
    handler: app.handler
    descriptor: reqs/requirements.txt
    build:
      workdir: ${JSON.stringify(weird)}
`,
      'svc/app.py': '',
      [`svc/${weird}/.keep`]: '',
      // relative to the workdir: svc/<weird>/../../libs/common = libs/common
      'svc/reqs/requirements.txt': '../../libs/common/\n',
      'libs/common/setup.py':
        'from setuptools import setup\nsetup(name="common", version="1.0", packages=["common"])\n',
      'libs/common/common/__init__.py': 'RATE = 9\n',
    });
    const ok = lci(['validate'], { cwd: repo.dir });
    assert.is(ok.code, 0, ok.stderr);
    const { json, code, stderr } = buildJson(repo);
    assert.is(code, 0, stderr);
    const deps = join(repo.dir, json.functions[0]!.deps!.path);
    assert.is(unzipText(deps, 'python/common/__init__.py'), 'RATE = 9\n');
    const logDir = join(repo.dir, '.lci/logs');
    const text = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    assert.not.match(text, /^(INJECTED|TICK)$/m, 'the value was never run as shell');
  },
);

docker.run();
