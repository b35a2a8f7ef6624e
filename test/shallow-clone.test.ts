import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// A revision typed on a shallow clone (CI checks out one commit) is explained as missing history,
// with a command git accepts: the old hint, `git fetch origin HEAD~1`, is one git rejects.

const CONFIG =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: svc }\n';

function shallowClone(): string {
  const origin = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': 'v = 1\n' });
  origin.commit({ 'svc/app.py': 'v = 2\n' });
  origin.commit({ 'svc/app.py': 'v = 3\n' });
  const clone = join(tempDir(), 'clone');
  execFileSync('git', ['clone', '-q', '--depth', '1', `file://${origin.dir}`, clone]);
  return clone;
}

const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });

test('--base HEAD~1 on a shallow clone: says so, and the command it gives makes the plan work', () => {
  const clone = shallowClone();
  const r = lci(['plan', '--base', 'HEAD~1'], { cwd: clone });
  assert.is(r.code, 2, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.is(
    lines[0],
    'lci: --base HEAD~1 does not name a commit in this clone; this clone is shallow (git clone --depth), so HEAD~1 may lie beyond its history: fetch 1 more commit (git fetch --deepen=1), or all of them (git fetch --unshallow)',
  );
  assert.is.not(git(clone, 'fetch', 'origin', 'HEAD~1').status, 0, 'the old hint is a command git rejects');
  const deepen = /\((git fetch --deepen=\d+)\)/.exec(lines[0]!)![1]!.split(' ');
  const fetched = git(clone, ...deepen.slice(1));
  assert.is(fetched.status, 0, fetched.stderr);
  const plan = lci(['plan', '--base', 'HEAD~1', '--json'], { cwd: clone });
  assert.is(plan.code, 0, plan.stderr);
  assert.ok(plan.stdout.includes('"affected": true'), plan.stdout);
});

test('LCI_BASE=HEAD~2 asks for two commits; --unshallow works as well', () => {
  const clone = shallowClone();
  const r = lci(['plan'], { cwd: clone, env: { LCI_BASE: 'HEAD~2' } });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^lci: LCI_BASE=HEAD~2 does not name a commit in this clone; .*\(git fetch --deepen=2\)/);
  assert.is(git(clone, 'fetch', '-q', '--unshallow').status, 0);
  assert.is(lci(['plan'], { cwd: clone, env: { LCI_BASE: 'HEAD~2' } }).code, 0);
});

test.run();
