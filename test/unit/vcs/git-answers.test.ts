import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repository, resolveCommit, resolveCommits } from '../../../src/vcs/git.js';
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

test.run();
