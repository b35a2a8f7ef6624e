import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// What lci decides from what is really there: descriptors it cannot read, local paths that do not
// exist, symlinks out of the repository and colliding names are configuration errors (exit 2).

const HEAD =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\n  prod: { tag: "v*", alias: live }\nfunctions:\n';

function validate(repo: GitRepo) {
  return lci(['validate'], { cwd: repo.dir });
}

const deps = suite('config: dependencies lci cannot read are errors, not "none"');

deps('a pyproject.toml (PEP 621 or poetry) or Pipfile that declares dependencies, without a requirements file', () => {
  const cases: [string, string, RegExp][] = [
    [
      'pyproject.toml',
      '[project]\nname = "orders"\ndependencies = [\n  "requests>=2",\n]\n',
      /\[project\] dependencies/,
    ],
    [
      'pyproject.toml',
      '[tool.poetry.dependencies]\npython = "^3.12"\nboto3 = "^1.34"\n',
      /\[tool\.poetry\.dependencies\]/,
    ],
    ['Pipfile', '[packages]\nrequests = "*"\n', /Pipfile \[packages\]/],
  ];
  for (const [file, text, what] of cases) {
    const repo = GitRepo.create({
      'lambdas.yaml': `${HEAD}  orders: { path: svc/orders }\n`,
      'svc/orders/app.py': '',
      [`svc/orders/${file}`]: text,
    });
    const r = validate(repo);
    assert.is(r.code, 2, file);
    assert.match(
      r.stderr,
      /^lambdas\.yaml:7:3: functions\.orders: svc\/orders\/(pyproject\.toml|Pipfile) declares dependencies /,
    );
    assert.match(r.stderr, what);
    assert.match(r.stderr, /export one \((poetry export|pipenv requirements)/);
  }
  const plain = GitRepo.create({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders }\n`,
    'svc/orders/app.py': '',
    'svc/orders/pyproject.toml': '[build-system]\nrequires = ["setuptools"]\n[tool.ruff]\nline-length = 100\n',
  });
  assert.is(validate(plain).code, 0, 'a pyproject.toml for tools only declares nothing');
});

deps('an empty or comment-only requirements.txt and a package.json without dependencies build no layer', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders }\n  opts: { path: svc/opts }\n  web: { path: svc/web, runtime: nodejs20.x }\n`,
    'svc/orders/app.py': '',
    'svc/orders/requirements.txt': '# nothing yet\n\n',
    'svc/opts/app.py': '',
    'svc/opts/requirements.txt': '--index-url https://pypi.example.com/simple\n-c ../constraints.txt\n',
    'svc/constraints.txt': 'boto3<2\n',
    'svc/web/index.js': '',
    'svc/web/package.json': '{"name":"web","devDependencies":{"jest":"^29"}}',
  });
  const r = lci(['build', '--json'], { cwd: repo.dir, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
  assert.is(r.code, 0, r.stderr);
  const fns = (JSON.parse(r.stdout) as { functions: { name: string; deps: unknown }[] }).functions;
  assert.equal(
    fns.map((f) => [f.name, f.deps]),
    [
      ['orders', null],
      ['opts', null],
      ['web', null],
    ],
    'no layer, and no Docker was needed',
  );
});

const paths = suite('config: local path dependencies must exist, resolved as pip and npm resolve them');

paths('a path line that resolves to nothing points at its line in the descriptor', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders }\n  web: { path: svc/web, runtime: nodejs20.x }\n`,
    'svc/orders/app.py': '',
    'svc/orders/requirements.txt': 'requests==2.32\n../../libs/nothing\n-r ../../reqs/common.txt\n',
    'reqs/common.txt': '# path lines here resolve against svc/orders too (pip runs there)\n../../libs/pylib\n',
    'libs/pylib/setup.py': '',
    'svc/web/index.js': '',
    'svc/web/package.json': '{\n  "dependencies": {\n    "lib": "file:../../libs/jsnothing"\n  }\n}\n',
  });
  const r = validate(repo);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n'), [
    'svc/orders/requirements.txt:2:1: libs/nothing does not exist (resolved against svc/orders, the directory lci runs pip in; if the repository runs pip elsewhere, set build.workdir); fix the path or commit the dependency',
    'svc/web/package.json:3:13: libs/jsnothing does not exist (resolved against svc/web, where its package.json is); fix the path or commit the dependency',
    '2 problems in the configuration',
  ]);
  writeFileSync(join(repo.dir, 'reqs/common.txt'), '../libs/pylib\n');
  writeFileSync(join(repo.dir, 'svc/orders/requirements.txt'), 'requests==2.32\n-r ../../reqs/common.txt\n');
  writeFileSync(join(repo.dir, 'svc/web/package.json'), '{"dependencies":{}}');
  const wrongDir = validate(repo);
  assert.match(
    wrongDir.stderr,
    /^reqs\/common\.txt:1:1: svc\/libs\/pylib does not exist \(resolved against svc\/orders, the directory lci runs pip in; if the repository runs pip elsewhere, set build\.workdir\)/,
  );
});

paths('references and symlinks out of the repository are errors; the outside file is never read', () => {
  const outside = tempDir('lci-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET-VALUE\n');
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders }\n  leaky: { path: svc/leaky, descriptor: reqs.txt }\n`,
    'svc/orders/app.py': '',
    'svc/orders/requirements.txt': '../../../../../../../../etc\n../../libs/linked\n',
    'svc/leaky/app.py': '',
  });
  mkdirSync(join(repo.dir, 'libs'));
  symlinkSync(outside, join(repo.dir, 'libs/linked'));
  symlinkSync(join(outside, 'secret.txt'), join(repo.dir, 'svc/leaky/reqs.txt'));
  const r = validate(repo);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /svc\/orders\/requirements\.txt:1:1: '\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc' is outside the repository/,
  );
  assert.match(
    r.stderr,
    /svc\/orders\/requirements\.txt:2:1: '\.\.\/\.\.\/libs\/linked' resolves to .*lci-outside-.*, outside the repository/,
  );
  assert.match(
    r.stderr,
    /lambdas\.yaml:8:41: functions\.leaky\.descriptor: descriptor svc\/leaky\/reqs\.txt resolves to .*secret\.txt, outside the repository/,
  );
  assert.not.match(r.stdout + r.stderr, /TOP-SECRET-VALUE/);
});

paths('a function path that is a symlink out of the repository is an error', () => {
  const outside = tempDir('lci-outside-');
  writeFileSync(join(outside, 'credentials'), 'aws_secret_access_key = TOP-SECRET\n');
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders, descriptor: false }\n`,
    'svc/.keep': '',
  });
  symlinkSync(outside, join(repo.dir, 'svc/orders'));
  const r = validate(repo);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /^lambdas\.yaml:7:19: functions\.orders\.path: 'svc\/orders' resolves to .*lci-outside-.*, outside the repository/,
  );
  const build = lci(['build'], { cwd: repo.dir });
  assert.is(build.code, 2);
  assert.not.match(build.stdout + build.stderr, /TOP-SECRET/);
});

const collisions = suite('config: names that collide');

collisions('two functions publishing one layer name must build the same dependencies', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD}  a: { path: svc/a, layerName: shared-deps }\n  b: { path: svc/b, layerName: shared-deps }\n  c: { path: svc/c, descriptor: ../a/requirements.txt, layerName: "a-deps-\${env}" }\n  d: { path: svc/d, descriptor: ../a/requirements.txt, layerName: "a-deps-\${env}" }\n`,
    'svc/a/requirements.txt': 'requests\n',
    'svc/b/requirements.txt': 'boto3\n',
    'svc/c/app.py': '',
    'svc/d/app.py': '',
  });
  const r = validate(repo);
  assert.is(r.code, 2);
  const lines = r.stderr.trim().split('\n');
  assert.match(
    lines[0]!,
    /^lambdas\.yaml:8:32: functions\.b\.layerName: functions 'a' and 'b' both publish layer 'shared-deps' in environment 'qa' but build different dependencies \(descriptors svc\/a\/requirements\.txt and svc\/b\/requirements\.txt\)/,
  );
  assert.is(lines.length, 3, 'qa and prod: one problem each; c and d share theirs legitimately');
});

collisions('two environments that release to the same alias of the same function', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD.replace('alias: live', 'alias: qa')}  orders: { path: svc/orders, descriptor: false }\n`,
    'svc/orders/app.py': '',
  });
  const r = validate(repo);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /^lambdas\.yaml:7:3: functions\.orders: environments 'qa' and 'prod' both release to alias 'qa' of Lambda function 'orders': a deploy to one would move what the other serves/,
  );
});

const silent = suite('config: what would build without a word of warning is refused');

silent('a named descriptor outside the repository, or one git does not track, would build "no dependencies"', () => {
  const outside = tempDir('lci-outside-');
  mkdirSync(join(outside, 'outside'));
  writeFileSync(join(outside, 'outside/req.txt'), 'requests\n');
  const repo = new GitRepo(join(outside, 'repo'));
  mkdirSync(repo.dir);
  repo.git('init', '-q', '-b', 'main');
  repo.commit({
    'lambdas.yaml': `${HEAD}  orders: { path: svc/orders, descriptor: ../../../outside/req.txt }\n  billing: { path: svc/billing, descriptor: requirements-prod.txt }\n`,
    'svc/orders/app.py': '',
    'svc/billing/app.py': '',
  });
  // Written, never added: the commit (what lci builds) has no such file.
  writeFileSync(join(repo.dir, 'svc/billing/requirements-prod.txt'), 'boto3\n');
  const r = validate(repo);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n'), [
    "lambdas.yaml:7:43: functions.orders.descriptor: '../../../outside/req.txt' leaves the repository (a descriptor is relative to the path 'svc/orders'), and the dependency build sees only the repository: move the file in, or set descriptor: false",
    '1 problem in the configuration',
  ]);
  repo.commit({
    'lambdas.yaml': `${HEAD}  billing: { path: svc/billing, descriptor: requirements-prod.txt }\n`,
    '.gitignore': 'requirements-prod.txt\n', // made in CI, say, before lci runs
  });
  const untracked = validate(repo);
  assert.is(untracked.code, 2);
  assert.equal(untracked.stderr.trim().split('\n'), [
    'lambdas.yaml:7:45: functions.billing.descriptor: descriptor svc/billing/requirements-prod.txt is not tracked by git, and lci builds what the commit holds (without it: no dependencies); commit it, or set descriptor: false',
    '1 problem in the configuration',
  ]);
  const build = lci(['build'], { cwd: repo.dir, env: { DOCKER_HOST: 'unix:///nonexistent.sock' } });
  assert.is(build.code, 2, 'the build refuses too, before anything is written');
  assert.match(build.stderr, /requirements-prod\.txt is not tracked by git/);
  assert.not.ok(existsSync(join(repo.dir, '.lci')));
  repo.git('add', '-f', 'svc/billing/requirements-prod.txt');
  repo.commit({});
  assert.is(validate(repo).code, 0, 'committed, it is read');

  // Through a symlinked directory, the path git tracks is another: named so, the build would find nothing.
  mkdirSync(join(repo.dir, 'shared'));
  symlinkSync('../../shared', join(repo.dir, 'svc/billing/reqs'));
  repo.commit({
    'shared/billing.txt': 'boto3\n',
    'lambdas.yaml': `${HEAD}  billing: { path: svc/billing, descriptor: reqs/billing.txt }\n`,
  });
  const linked = validate(repo);
  assert.is(linked.code, 2);
  assert.equal(linked.stderr.trim().split('\n'), [
    'lambdas.yaml:7:45: functions.billing.descriptor: descriptor svc/billing/reqs/billing.txt is reached through a symlinked directory, and git tracks the file as shared/billing.txt; name that path, as lci builds what the commit holds',
    '1 problem in the configuration',
  ]);
});

silent("five shared layers leave no room for the function's own, whenever its descriptor declares dependencies", () => {
  const layers = ['a', 'b', 'c', 'd', 'e']
    .map(
      (n) =>
        `  ${n}: { path: lay, runtimes: [python3.12], descriptor: false, build: { command: make, output: out } }\n`,
    )
    .join('');
  const repo = GitRepo.create({
    'lambdas.yaml': `${HEAD.replace('functions:\n', `layers:\n${layers}defaults:\n  layers: [a, b, c, d, e]\nfunctions:\n`)}  orders: { path: svc/orders }\n  quiet: { path: svc/quiet }\n  named: { path: svc/named, descriptor: reqs.txt }\n`,
    'lay/Makefile': '',
    'svc/orders/app.py': '',
    'svc/orders/requirements.txt': 'requests==2.32.0\n',
    'svc/quiet/app.py': '',
    'svc/quiet/requirements.txt': '# nothing yet\n',
    'svc/named/app.py': '',
    'svc/named/reqs.txt': '--index-url https://pypi.example.com/simple\n',
  });
  const r = validate(repo);
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split('\n'), [
    "lambdas.yaml:13:3: defaults.layers: 5 shared layers and the dependency layer function 'orders' builds from svc/orders/requirements.txt are more than the 5 layers Lambda allows a function; list fewer shared layers, or move its dependencies into one of them and set descriptor: false",
    '1 problem in the configuration',
  ]);
});

silent(
  'requirements that environment markers all leave out for the runtime would make an empty layer: the marker is named',
  () => {
    const repo = GitRepo.create({
      'lambdas.yaml': `${HEAD.replace('functions:\n', 'layers:\n  common: { path: lay, runtimes: [python3.11] }\n  wide: { path: wide, runtimes: [python3.11, python3.13] }\nfunctions:\n')}  orders: { path: svc/orders, runtime: python3.11, layers: [common, wide] }\n  billing: { path: svc/billing, runtime: python3.11 }\n`,
      'lay/requirements.txt':
        'requests==2.32.0 ; python_version == "3.13"\nboto3  ; python_version >= "3.12" and sys_platform == "linux"  # new API\n',
      'wide/requirements.txt': 'attrs\ntomli ; python_version < "3.11"\nzstd ; python_full_version >= "3.13.0"\n',
      'svc/orders/app.py': '',
      'svc/billing/app.py': '',
      'svc/billing/requirements.txt': 'backports.zoneinfo ; python_version < "3.9"\nrequests\n',
    });
    const r = validate(repo);
    assert.is(r.code, 2);
    assert.equal(r.stderr.trim().split('\n'), [
      'lay/requirements.txt:1:20: python_version == "3.13" is false on python3.11, and so are the markers of the other requirement: pip would install nothing, and the dependency layer of shared layer \'common\' would be empty; fix the markers, or set descriptor: false',
      '1 problem in the configuration',
    ]);
    writeFileSync(join(repo.dir, 'lay/requirements.txt'), 'requests==2.32.0 ; python_version == "3.11"\n');
    const ok = validate(repo);
    assert.is(ok.code, 0, ok.stderr);
    assert.equal(ok.stderr.trim().split('\n'), [
      'lci: warning: wide/requirements.txt:3:8: python_full_version >= "3.13.0" is false on python3.11, the runtime shared layer \'wide\' is built for (the first of its runtimes), so pip leaves zstd out of it, though the layer lists python3.13: functions on python3.13 would run without it; give them a layer of their own',
    ]);
  },
);

deps.run();
paths.run();
collisions.run();
silent.run();
