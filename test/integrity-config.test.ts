import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
    'svc/orders/requirements.txt:2:1: libs/nothing does not exist (resolved against svc/orders, the directory lci runs pip in); fix the path or commit the dependency',
    'svc/web/package.json:3:13: libs/jsnothing does not exist (resolved against svc/web, where its package.json is); fix the path or commit the dependency',
    '2 problems in the configuration',
  ]);
  writeFileSync(join(repo.dir, 'reqs/common.txt'), '../libs/pylib\n');
  writeFileSync(join(repo.dir, 'svc/orders/requirements.txt'), 'requests==2.32\n-r ../../reqs/common.txt\n');
  writeFileSync(join(repo.dir, 'svc/web/package.json'), '{"dependencies":{}}');
  const wrongDir = validate(repo);
  assert.match(
    wrongDir.stderr,
    /^reqs\/common\.txt:1:1: svc\/libs\/pylib does not exist \(resolved against svc\/orders, the directory lci runs pip in\)/,
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

deps.run();
paths.run();
collisions.run();
