import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci, REPO_ROOT } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

test('--help lists the commands and exit codes; no command is a usage error', () => {
  const help = lci(['--help'], { cwd: REPO_ROOT });
  assert.is(help.code, 0);
  assert.match(help.stdout, /validate\s+Check lambdas\.yaml/);
  assert.match(help.stdout, /plan\s+List the functions a git change touches/);
  assert.match(help.stdout, /Exit codes: 0 ok, 1 .* 2 bad input .* 3 plan --exit-code/);
  assert.is(lci([], { cwd: REPO_ROOT }).code, 2);
});

test('command help shows every option', () => {
  const r = lci(['plan', '--help'], { cwd: REPO_ROOT });
  assert.is(r.code, 0);
  for (const flag of ['--base', '--head', '--env', '--all', '--json', '--github-output', '--exit-code', '--config', '--debug']) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('--version prints the package version', () => {
  const r = lci(['--version'], { cwd: REPO_ROOT });
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('unknown commands and flags: one line, exit 2, no stack trace', () => {
  const cmd = lci(['deplo'], { cwd: REPO_ROOT });
  assert.is(cmd.code, 2);
  assert.match(cmd.stderr, /^lci: unknown command 'deplo'; commands: validate, plan/);
  const flag = lci(['plan', '--bse', 'x'], { cwd: REPO_ROOT });
  assert.is(flag.code, 2);
  assert.is(flag.stderr, "lci: plan: unknown option '--bse'; see lci plan --help\n");
});

test('a bad config prints locations only, no stack trace, even with --debug', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': 'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: nowhere }\n' });
  for (const args of [['validate'], ['validate', '--debug'], ['plan', '--all']]) {
    const r = lci(args, { cwd: repo.dir });
    assert.is(r.code, 2);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack frames');
    assert.match(r.stderr, /^lambdas\.yaml:6:19: functions\.orders\.path: 'nowhere' does not exist/);
  }
});

test.run();
