import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO_ROOT } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// bench/package times lci and Info-ZIP on one tree; it must time the work it claims. Before, its
// tree sat under bench/.work/, which lci's .gitignore ignores: lci packaged what git tracks, zero
// files, and the bench printed "yes" to both targets. Here it runs small (300 files) and is made to
// meet each way the work can fall short.

const BENCH = join(REPO_ROOT, 'bench/package/run.mjs');

function bench(work: string) {
  const r = spawnSync(process.execPath, [BENCH, '1', '--files', '300', '--work', work], { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  });
  assert.is(r.status, 0, r.stderr);
  return r.stdout;
}

/** The one FAILED line, and nothing measured after it. */
function failure(r: { code: number; stdout: string; stderr: string }): string {
  assert.is(r.code, 1, r.stdout + r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('bench/package: FAILED: '));
  assert.is(lines.length, 1, r.stderr);
  assert.not.match(r.stdout, /targets against/, 'no verdict is printed');
  return lines[0]!;
}

test('the tree is a committed repository of its own, and every zip timed holds all of it', () => {
  const work = tempDir();
  const r = bench(work);
  assert.is(r.code, 0, r.stdout + r.stderr);
  const stamp = JSON.parse(readFileSync(join(work, '.version'), 'utf8')) as {
    expected: { entries: number; bytes: number };
  };
  assert.is(stamp.expected.entries, 300);
  assert.match(r.stdout, new RegExp(`every zip checked: 300 entries, ${stamp.expected.bytes} bytes unzipped`));
  assert.match(r.stdout, /^lci build \(code package\) /m);
  assert.match(r.stdout, /targets against zip -r -X -q -n \.png:\.gz \(median of per-run ratios\): CPU <= 1\.0x: /);
  const project = join(work, 'project');
  assert.is(git(project, 'rev-parse', '--show-toplevel').trim(), project);
  assert.is(git(project, 'ls-files', 'svc').trim().split('\n').length, 300);
  assert.is(git(project, 'status', '--porcelain'), '', 'everything committed');
});

test('the old setup (the tree untracked under an ignored directory of another repository) fails loudly', () => {
  const repo = GitRepo.create({ '.gitignore': 'bench/.work/\n', 'README.md': 'x' });
  const work = join(repo.dir, 'bench/.work/package');
  assert.is(bench(work).code, 0);
  rmSync(join(work, 'project/.git'), { recursive: true, force: true }); // as the bench generated it before
  const line = failure(bench(work));
  // lci itself now refuses to package nothing; an lci that still zipped zero files meets the zip check (next tests).
  assert.match(
    line,
    /^bench\/package: FAILED: lci build exited with 1: lci: function svc: nothing to package in bench\/\.work\/package\/project\/svc\/: all 300 files are not tracked by git: .*git ignores them \(\.gitignore:1: bench\/\.work\/\)/,
  );
});

test('a zip with fewer entries than the tree (lci leaving files out) fails loudly', () => {
  const work = tempDir();
  assert.is(bench(work).code, 0);
  const project = join(work, 'project');
  const yaml = readFileSync(join(project, 'lambdas.yaml'), 'utf8');
  writeFileSync(
    join(project, 'lambdas.yaml'),
    yaml.replace('descriptor: false', 'descriptor: false, exclude: ["**/*.png"]'),
  );
  git(project, 'commit', '-qam', 'leave the png files out');
  assert.match(
    failure(bench(work)),
    /^bench\/package: FAILED: lci build \(its --json report\) wrote a zip of 270 entries, \d+ bytes unzipped; the tree holds 300 files, \d+ bytes: the time measured is not the work claimed$/,
  );
});

test('a zip with other bytes than the tree holds fails loudly; so does an Info-ZIP zip with more files', () => {
  const work = tempDir();
  assert.is(bench(work).code, 0);
  const project = join(work, 'project');
  const file = git(project, 'ls-files', 'svc').split('\n')[0]!;
  truncateSync(join(project, file), 1); // lci packages the work tree's bytes
  assert.match(
    failure(bench(work)),
    /^bench\/package: FAILED: lci build \(its --json report\) wrote a zip of 300 entries, \d+ bytes unzipped; the tree holds 300 files, \d+ bytes/,
  );
  git(project, 'checkout', '--', file);
  writeFileSync(join(project, 'svc/stray.txt'), 'not committed'); // lci leaves it out, zip -r takes it
  assert.match(
    failure(bench(work)),
    /^bench\/package: FAILED: zip -r -X -q wrote a zip of 301 entries, \d+ bytes unzipped; the tree holds 300 files/,
  );
});

test.run();
