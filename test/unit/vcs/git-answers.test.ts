import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repository, resolveCommit, resolveCommits } from '../../../src/vcs/git.js';
import {
  atOrBelowAny,
  dirtyTrackedPaths,
  indexEntries,
  MAX_PATHSPECS,
  trackedAmong,
  trackedFiles,
  trackedFilesWithin,
} from '../../../src/vcs/tracked.js';
import { commitDirs, worktreeDirs } from '../../../src/vcs/readers.js';
import { GitRepo } from '../../harness/git-repo.js';
import { tempDir } from '../../harness/tmp.js';

test('one git process answers for every revision as resolveCommit does, hostile names included', async () => {
  const repo = GitRepo.create({ 'a.txt': '1\n' });
  const first = repo.head();
  repo.commit({ 'a.txt': '2\n' });
  repo.git('tag', '-a', 'v1', '-m', 'annotated', first);
  const out = join(tempDir(), 'written-by-git');
  const revs = [
    'HEAD',
    'HEAD~1',
    'v1', // an annotated tag: peeled to its commit
    'nope',
    `HEAD\nHEAD~1`, // a line break would shift every later answer by one in a batch
    `--output=${out}`, // an option to some git commands, never one here
    'HEAD~1..HEAD', // a range is no single commit
    first.slice(0, 12),
    'HEAD^{tree}', // a tree peels to no commit
  ];
  const together = await resolveCommits(repo.dir, revs);
  const alone = await Promise.all(revs.map((rev) => resolveCommit(repo.dir, rev)));
  assert.equal(together, alone);
  assert.equal(together.slice(0, 4), [repo.head(), first, first, null]);
  assert.is(together[7], first, 'an abbreviated sha');
  assert.is(existsSync(out), false, 'no file written through a revision');
  assert.equal(await resolveCommits(repo.dir, ['', 'HEAD']), [null, repo.head()], 'an empty name names nothing');
});

test('the root and HEAD from one git process: in a repository, before its first commit, outside any', async () => {
  const repo = GitRepo.create({ 'a.txt': '1\n' });
  mkdirSync(join(repo.dir, 'sub dir'));
  const root = realpathSync(repo.dir);
  assert.equal(await repository(join(repo.dir, 'sub dir')), { root, head: repo.head() });
  const empty = GitRepo.create();
  assert.equal(await repository(empty.dir), { root: realpathSync(empty.dir), head: null });
  assert.equal(await repository(tempDir()), { root: null, head: null });
});

test('tracked files listed within some paths answer for every path as the whole listing does', async () => {
  const repo = GitRepo.create({
    'svc/fn/app.py': '1\n',
    'svc/fn/lib/x.py': '2\n',
    'svc/fnx/app.py': '3\n',
    'shared/util.py': '4\n',
    'odd *[dir]/a.txt': '5\n',
    'lambdas.yaml': 'version: 1\n',
  });
  writeFileSync(join(repo.dir, 'svc/fn/untracked.py'), 'u\n');
  writeFileSync(join(repo.dir, 'shared/untracked.py'), 'u\n');
  const whole = await trackedFiles(repo.dir);
  const within = await trackedFilesWithin(repo.dir, ['svc/fn', 'lambdas.yaml', 'odd *[dir]']);
  const paths = [
    'svc/fn/app.py',
    'svc/fn/lib/x.py',
    'svc/fn/untracked.py',
    'svc/fnx/app.py', // shares a prefix with svc/fn, lies outside it
    'shared/util.py', // outside: a symlink in the function may lead here
    'shared/untracked.py',
    'odd *[dir]/a.txt', // taken literally, not as a glob
    'lambdas.yaml',
    'nothing',
  ];
  assert.equal(
    paths.map((p) => within.has(p)),
    paths.map((p) => whole.has(p)),
  );
  const dirs = ['svc/fn', 'svc/fn/lib', 'svc', 'shared', 'svc/fnx', 'odd *[dir]', 'nothing', ''];
  assert.equal(
    dirs.map((d) => within.hasUnder(d)),
    dirs.map((d) => whole.hasUnder(d)),
  );
  assert.is(within.count, whole.count);
});

test('uncommitted files within some paths are the same whether git looks at each path or, for many, at the whole tree', async () => {
  const dirs = Array.from({ length: MAX_PATHSPECS + 8 }, (_, i) => `svc/f${String(i).padStart(2, '0')}`);
  const repo = GitRepo.create({
    ...Object.fromEntries(dirs.map((d) => [`${d}/app.py`, '1\n'])),
    'svc/f05x/app.py': '1\n',
    'other/x.py': '1\n',
  });
  for (const p of ['svc/f05/app.py', 'svc/f05x/app.py', 'other/x.py', `${dirs.at(-1)}/app.py`])
    writeFileSync(join(repo.dir, p), '2\n');
  const sorted = (xs: string[]) => [...xs].sort();
  // More paths than git is asked about one by one: it looks at the whole tree, and the rest is left out here.
  assert.equal(sorted(await dirtyTrackedPaths(repo.dir, dirs)), ['svc/f05/app.py', `${dirs.at(-1)}/app.py`]);
  // Few paths: git looks at those only.
  assert.equal(await dirtyTrackedPaths(repo.dir, ['svc/f05', 'svc/f06']), ['svc/f05/app.py']);
  assert.equal((await dirtyTrackedPaths(repo.dir)).length, 4);
  const many = await trackedFilesWithin(repo.dir, [...dirs, 'other']);
  assert.equal(
    ['svc/f05/app.py', 'svc/f05x/app.py', 'other/x.py', 'nothing'].map((p) => many.has(p)),
    [true, true, true, false],
  );
});

test('a path lies at or below another only along whole segments', () => {
  const inside = atOrBelowAny(['svc/fn', 'lambdas.yaml']);
  assert.equal(['svc/fn', 'svc/fn/a.py', 'svc/fnx/a.py', 'svc', 'lambdas.yaml', 'lambdas.yaml.bak', ''].map(inside), [
    true,
    true,
    false,
    false,
    true,
    false,
    false,
  ]);
  assert.ok(atOrBelowAny(['', 'svc'])('anything/at/all'));
});

test('whether git tracks some named files: looked up in the index, answered as the whole listing does', async () => {
  const repo = GitRepo.create({
    'svc/a/requirements.txt': 'x\n',
    'svc/b/package.json': '{}\n',
    'odd *[dir]/requirements.txt': 'x\n',
    'with:colon/requirements.txt': 'x\n',
    '-dash/requirements.txt': 'x\n',
    'line\nbreak/requirements.txt': 'x\n',
  });
  writeFileSync(join(repo.dir, 'svc/a/untracked.txt'), 'u\n');
  writeFileSync(join(repo.dir, 'svc/a/intent.txt'), 'i\n');
  repo.git('add', '-N', 'svc/a/intent.txt'); // intent to add: listed by ls-files, with the empty blob in the index
  const whole = await trackedFiles(repo.dir);
  const asked = [
    'svc/a/requirements.txt',
    'svc/b/package.json',
    'odd *[dir]/requirements.txt',
    'with:colon/requirements.txt',
    '-dash/requirements.txt',
    'line\nbreak/requirements.txt', // never on a line of the batch: answered from the listing
    'svc/a/untracked.txt',
    'svc/a/intent.txt',
    'svc/a', // a directory is no tracked file
    'svc/missing.txt',
    '../outside.txt',
    '',
  ];
  const among = await trackedAmong(repo.dir, asked);
  assert.equal(
    asked.map((p) => among.has(p)),
    asked.map((p) => whole.has(p)),
  );
  assert.equal(asked.map((p) => among.has(p)).filter(Boolean).length, 7);
  assert.ok(among.hasUnder('svc/b'));
  assert.is(among.count, whole.count);
});

test("how many entries git's index holds, read from its header where git keeps it by default", () => {
  const fresh = tempDir();
  execFileSync('git', ['init', '-q'], { cwd: fresh });
  assert.is(indexEntries(fresh), 0); // nothing ever added: no index yet
  const repo = GitRepo.create({ 'a.txt': '1\n', 'b/c.txt': '2\n' });
  assert.is(indexEntries(repo.dir), 2);
  const linked = join(tempDir(), 'linked');
  repo.git('worktree', 'add', '-q', linked);
  assert.is(indexEntries(linked), null); // .git is a file there: its index lives elsewhere
});

test('directories are listed by their names, never read as globs or pathspec magic, in the work tree and at a commit', () => {
  const repo = GitRepo.create({
    ':(exclude)x/d/f': '1\n',
    'jobs[1]/a/f': '2\n',
    'jobs[1]/b/f': '3\n',
    'jobs1/c/f': '4\n',
    'st*r/e/f': '5\n',
    'star/g/f': '6\n',
    ':(icase)J/h/f': '7\n',
    'j/i/f': '8\n',
  });
  const expected: Record<string, string[]> = {
    ':(exclude)x': ['d'],
    'jobs[1]': ['a', 'b'],
    'st*r': ['e'],
    ':(icase)J': ['h'],
  };
  const inTree = worktreeDirs(repo.dir, true);
  const atCommit = commitDirs(repo.dir, repo.head());
  for (const [dir, names] of Object.entries(expected)) {
    assert.equal(inTree(dir).sort(), names, `work tree: ${dir}`);
    assert.equal(atCommit(dir).sort(), names, `commit: ${dir}`);
  }
});

test.run();
