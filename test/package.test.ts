import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkUnzippedSize, sizeGroup } from '../src/package/limits.js';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

function config(fields: string): string {
  return `version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  fn:\n    path: svc\n    descriptor: false\n${fields}`;
}

function zipNames(zip: string): string[] {
  return execFileSync('python3', [
    '-c',
    'import sys,zipfile\nprint("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
    zip,
  ])
    .toString()
    .trim()
    .split('\n');
}

test('default excludes, exclude globs, and include overriding them', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': config(
      '    runtime: python3.12\n    exclude: ["tests/**", "*.md"]\n    include: [".env.production"]\n',
    ),
    'svc/app.py': 'x',
    'svc/README.md': 'x',
    'svc/tests/test_app.py': 'x',
    'svc/__pycache__/app.cpython-312.pyc': 'x',
    'svc/lib/x.pyc': 'x',
    'svc/node_modules/left-pad/index.js': 'x',
    'svc/.env': 'SECRET=1',
    'svc/.env.local': 'SECRET=2',
    'svc/.env.production': 'PUBLIC=1',
    'svc/.DS_Store': 'x',
    'svc/conf/.hidden.yml': 'x',
  });
  const r = lci(['build', '--json'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  assert.equal(zipNames(join(repo.dir, '.lci/dist/fn/app.zip')), ['.env.production', 'app.py', 'conf/.hidden.yml']);
});

test('node_modules is packaged for nodejs functions, .env never unless included', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': config('    runtime: nodejs20.x\n'),
    'svc/index.js': 'x',
    'svc/node_modules/a/index.js': 'x',
    'svc/.env': 'S=1',
  });
  assert.is(lci(['build', '--json'], { cwd: repo.dir }).code, 0);
  assert.equal(zipNames(join(repo.dir, '.lci/dist/fn/app.zip')), ['index.js', 'node_modules/a/index.js']);
});

test('symlinks inside the repository are stored as the files they point to', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': config(''),
    'svc/app.py': 'x',
    'shared/util.py': 'UTIL = 1\n',
    'shared/dir/a.py': 'A\n',
  });
  symlinkSync('../shared/util.py', join(repo.dir, 'svc/util.py'));
  symlinkSync('../shared/dir', join(repo.dir, 'svc/dir'));
  repo.commit({}, 'links'); // git tracks the links; their targets are tracked files
  const r = lci(['build', '--json'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  const zip = join(repo.dir, '.lci/dist/fn/app.zip');
  assert.equal(zipNames(zip), ['app.py', 'dir/a.py', 'util.py']);
  assert.is(execFileSync('unzip', ['-p', zip, 'util.py']).toString(), 'UTIL = 1\n');
});

test('a symlink out of the repository fails the function, naming the link', () => {
  const outside = tempDir();
  writeFileSync(join(outside, 'secret.txt'), 'x');
  const repo = GitRepo.create({ 'lambdas.yaml': config(''), 'svc/app.py': 'x' });
  symlinkSync(join(outside, 'secret.txt'), join(repo.dir, 'svc/secret.txt'));
  repo.commit({}, 'a link out');
  const r = lci(['build'], { cwd: repo.dir, env: { CI: 'true' } });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`lci: function fn: svc/secret\\.txt is a symlink to ${outside}/secret\\.txt, outside the repository`),
  );
});

test('broken symlinks and symlink loops are errors too', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': config(''), 'svc/app.py': 'x' });
  symlinkSync('nowhere.py', join(repo.dir, 'svc/gone.py'));
  repo.commit({}, 'a broken link');
  assert.match(lci(['build'], { cwd: repo.dir }).stderr, /svc\/gone\.py is a broken symlink/);
  const loop = GitRepo.create({ 'lambdas.yaml': config(''), 'svc/sub/app.py': 'x' });
  symlinkSync('..', join(loop.dir, 'svc/sub/up'));
  loop.commit({}, 'a loop');
  assert.match(lci(['build'], { cwd: loop.dir }).stderr, /svc\/sub\/up is a symlink loop/);
});

test('over 262,144,000 bytes unzipped fails before zipping, naming the biggest contributors', () => {
  // Generated files, named by include (committing 270 MB would only slow the test down).
  const repo = GitRepo.create({ 'lambdas.yaml': config('    include: ["data/**", "big.csv"]\n'), 'svc/app.py': 'x' });
  mkdirSync(join(repo.dir, 'svc/data'));
  for (const [name, size] of [
    ['data/model.bin', 200_000_000],
    ['data/extra.bin', 40_000_000],
    ['big.csv', 30_000_000],
  ] as const) {
    writeFileSync(join(repo.dir, 'svc', name), '');
    truncateSync(join(repo.dir, 'svc', name), size); // sparse: no disk, no time
  }
  const r = lci(['build'], { cwd: repo.dir });
  assert.is(r.code, 1);
  assert.match(
    r.stderr,
    /lci: function fn: code and dependencies are 270\.0 MB unzipped, over Lambda's limit of 262,144,000 bytes \(262\.1 MB\); biggest: code data\/ 240\.0 MB, code big\.csv 30\.0 MB, code app\.py 0\.0 MB/,
  );
});

test('size groups: layer packages, scoped npm packages, top-level directories', () => {
  assert.is(sizeGroup('python/numpy/core/x.so'), 'python/numpy');
  assert.is(
    sizeGroup('nodejs/node_modules/@aws-sdk/client-s3/dist/index.js'),
    'nodejs/node_modules/@aws-sdk/client-s3',
  );
  assert.is(sizeGroup('nodejs/node_modules/lodash/index.js'), 'nodejs/node_modules/lodash');
  assert.is(sizeGroup('src/app.py'), 'src/');
  assert.is(sizeGroup('app.py'), 'app.py');
  checkUnzippedSize([{ label: 'code', groups: { 'a/': 100 } }], 100);
  assert.throws(
    () =>
      checkUnzippedSize(
        [
          { label: 'code', groups: { 'a/': 60 } },
          { label: 'deps', groups: { 'python/x': 41 } },
        ],
        100,
      ),
    /biggest: code a\/ 0\.0 MB, deps python\/x 0\.0 MB/,
  );
});

test.run();
