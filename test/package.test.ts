import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkUnzippedSize, sizeGroup } from '../src/package/limits.js';
import { indexEntries, SMALL_INDEX_ENTRIES } from '../src/vcs/tracked.js';
import { LCI_BIN, lci, lciAsync } from './harness/cli.js';
import { requireDocker, TEST_IMAGE } from './harness/docker.js';
import { writeTree } from './harness/files.js';
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

/** Bytes a command and the children it waited for read (Linux: the shell's /proc/<pid>/io after its children). */
function bytesRead(cmd: string[], cwd: string): { code: number; rchar: number } {
  const r = spawnSync('sh', ['-c', '"$@" >/dev/null 2>&1; code=$?; cat /proc/$$/io; exit $code', 'sh', ...cmd], {
    cwd,
    encoding: 'utf8',
  });
  return { code: r.status ?? 1, rchar: Number(/^rchar: (\d+)$/m.exec(r.stdout)?.[1] ?? Number.NaN) };
}

test('lci build of a fresh package reads each file once: the fingerprint comes from the read that zips', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': config(''), '.gitignore': '.lci/\n' });
  let block = createHash('sha512').update('seed').digest();
  const FILES = 200;
  const SIZE = 160_000;
  for (let i = 0; i < FILES; i++) {
    const chunks: Buffer[] = [];
    for (let n = 0; n < SIZE; n += 64) chunks.push((block = createHash('sha512').update(block).digest()));
    mkdirSync(join(repo.dir, 'svc/assets'), { recursive: true });
    writeFileSync(join(repo.dir, `svc/assets/a${i}.png`), Buffer.concat(chunks)); // stored, not deflated: quick
  }
  repo.commit({}, 'assets');
  const r = bytesRead([process.execPath, LCI_BIN, 'build'], repo.dir);
  assert.is(r.code, 0);
  // lci's own modules and git's output add a few MB; reading the files twice would add 32 MB more.
  const content = FILES * SIZE;
  assert.ok(r.rchar > content && r.rchar < content * 1.4, `read ${r.rchar} bytes for ${content} bytes of files`);
});

test("in a large repository a named descriptor is looked up in git's index; the build lists what git tracks at its inputs only", () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  fn:\n    path: svc\n    runtime: python3.12\n    descriptor: requirements.txt\n`,
    '.gitignore': '.lci/\n',
    'svc/app.py': 'def handler(e, c): return 1\n',
    'svc/requirements.txt': '# nothing to install\n',
    'elsewhere/big.txt': 'x\n',
  });
  // More tracked files than listing them all is worth: committed without writing them out.
  const empty = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: '' }).toString().trim();
  const entries = Array.from({ length: SMALL_INDEX_ENTRIES + 1 }, (_, i) => `100644 ${empty}\tother/f${i}.txt\n`);
  execFileSync('git', ['update-index', '--index-info'], { cwd: repo.dir, input: entries.join('') });
  repo.git('commit', '-q', '-m', 'a monorepo');
  assert.is(indexEntries(repo.dir), SMALL_INDEX_ENTRIES + 6);
  const bin = tempDir();
  const log = join(bin, 'calls');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realGit}' "$@"\n`, { mode: 0o755 });
  const r = lci(['build'], { cwd: repo.dir, env: { PATH: `${bin}:${process.env.PATH}` } });
  assert.is(r.code, 0, r.stderr);
  assert.equal(zipNames(join(repo.dir, '.lci/dist/fn/app.zip')).sort(), ['app.py', 'requirements.txt']);
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.ok(
    calls.some((c) => c.includes('cat-file --batch-check')),
    calls.join('\n'),
  );
  // Every listing of tracked files is limited to paths (after --): none lists the whole repository.
  const listings = calls.filter((c) => c.includes('ls-files'));
  assert.is(listings.length, 1, calls.join('\n'));
  assert.match(listings[0]!, / -- .*svc/);
  assert.not.match(listings[0]!, /elsewhere/);
});

// A function that packages no file: Lambda refuses an empty zip ("Uploaded file must be a
// non-empty zip"), so lci stops there, naming the directory it looked at and what kept each file out.

/** The one line lci printed about the function. */
function failureLine(stderr: string, fn: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith(`lci: function ${fn}: `));
  assert.is(lines.length, 1, stderr);
  return lines[0]!;
}

/** lci build in `dir`, which fails: the line about function fn. */
function buildFailure(dir: string): string {
  const r = lci(['build'], { cwd: dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  return failureLine(r.stderr, 'fn');
}

test('a function under an ignored directory (the old bench/package) fails, naming the path and the ignore rule; nothing is zipped', () => {
  const repo = GitRepo.create({ '.gitignore': 'node_modules/\nbench/.work/\n', 'README.md': 'x' });
  const project = join(repo.dir, 'bench/.work/package/project');
  writeTree(project, {
    'lambdas.yaml': config(''),
    'svc/pkg0/f0.py': 'a = 1\n',
    'svc/pkg0/f1.py': 'b = 2\n',
    'svc/pkg1/b2.png': 'png',
  });
  const r = lci(['build', '--json'], { cwd: project });
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.is(
    failureLine(r.stderr, 'fn'),
    'lci: function fn: nothing to package in bench/.work/package/project/svc/: all 3 files are not tracked by git: bench/.work/package/project/svc/pkg0/f0.py, bench/.work/package/project/svc/pkg0/f1.py, …; git ignores them (.gitignore:2: bench/.work/); Lambda refuses an empty zip: commit them (git add), or name files made outside git in include',
  );
  assert.not.match(r.stderr, /unexpected error|at .*\.js:\d+/);
  assert.not.ok(existsSync(join(project, '.lci/dist/fn/app.zip')), 'no empty zip is written');
  const json = JSON.parse(r.stdout) as { functions: { status: string; error: string }[] };
  assert.equal(json.functions[0]!.status, 'FAILED');
  assert.match(json.functions[0]!.error, /^nothing to package in bench\/\.work\/package\/project\/svc\//);
});

test('a function whose files git does not track, and no ignore rule: the line says untracked, without a rule', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': config(''), 'other.txt': 'x' });
  writeTree(repo.dir, { 'svc/app.py': 'x' });
  assert.is(
    buildFailure(repo.dir),
    'lci: function fn: nothing to package in svc/: its one file is not tracked by git: svc/app.py; Lambda refuses an empty zip: commit them (git add), or name files made outside git in include',
  );
});

test('a function whose every file is excluded fails, naming each glob and where it comes from', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': config('    runtime: python3.12\n    exclude: ["**/*.py", "docs/**"]\n'),
    'svc/app.py': 'x',
    'svc/lib/util.py': 'x',
    'svc/docs/guide.md': 'x',
    'svc/.env': 'SECRET=1',
    'svc/__pycache__/app.cpython-312.pyc': 'x',
  });
  assert.is(
    buildFailure(repo.dir),
    'lci: function fn: nothing to package in svc/: 2 are excluded by "**/*.py" (exclude): svc/app.py, svc/lib/util.py; 1 is excluded by "**/.env" (always left out): svc/.env; 1 is excluded by "**/__pycache__/**" (left out of python functions): svc/__pycache__/app.cpython-312.pyc; 1 is excluded by "docs/**" (exclude): svc/docs/guide.md; Lambda refuses an empty zip: narrow exclude or name the files in include',
  );
});

test('deploy stops at the same line before anything leaves the machine', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': config('    exclude: ["*.py"]\n'), 'svc/app.py': 'x' });
  // No AWS endpoint is reachable: the function fails while packaging, before any request.
  const r = lci(['deploy', '--env', 'qa', '--json'], {
    cwd: repo.dir,
    env: {
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    },
  });
  assert.is(r.code, 1, r.stdout + r.stderr);
  const json = JSON.parse(r.stdout) as { functions: { name: string; status: string; error: string }[] };
  assert.equal(
    json.functions.map((f) => [f.name, f.status, f.error]),
    [
      [
        'fn',
        'FAILED',
        'nothing to package in svc/: its one file is excluded by "*.py" (exclude): svc/app.py; Lambda refuses an empty zip: narrow exclude or name the files in include',
      ],
    ],
  );
});

/** lci build of a function whose build.command is `command`, writing to out/: the line about it. */
async function builtFailure(command: string): Promise<string> {
  const repo = GitRepo.create({
    'lambdas.yaml': config(
      `    runtime: nodejs20.x\n    build: { image: "${TEST_IMAGE}", command: "${command}", output: out }\n`,
    ),
    'svc/src/index.ts': 'export const handler = () => 1;\n',
  });
  const r = await lciAsync(['build'], { cwd: repo.dir });
  assert.is(r.code, 1, r.stdout + r.stderr);
  return failureLine(r.stderr, 'fn');
}

test('a build command that writes nothing to package fails, naming build.output', async () => {
  await requireDocker();
  assert.is(
    await builtFailure('mkdir -p out && touch out/.env'),
    'lci: function fn: nothing to package in svc/out/: its one file is excluded by "**/.env" (always left out): svc/out/.env; Lambda refuses an empty zip: narrow exclude or name the files in include',
  );
  assert.is(
    await builtFailure('mkdir -p out'),
    "lci: function fn: nothing to package: build.command wrote no file to build.output svc/out/ (Lambda refuses an empty zip); make the command write the function's code there",
  );
});

test.run();
