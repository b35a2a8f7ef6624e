import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repository, resolveCommit, resolveCommits } from '../../../src/vcs/git.js';
import { trackedFiles, trackedFilesWithin } from '../../../src/vcs/tracked.js';
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

test.run();
