import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LCI_BIN, lci, REPO_ROOT } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

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
  for (const flag of [
    '--base',
    '--head',
    '--env',
    '--all',
    '--json',
    '--github-output',
    '--exit-code',
    '--config',
    '--debug',
  ]) {
    assert.ok(r.stdout.includes(flag), flag);
  }
});

test('--version prints the package version', () => {
  const r = lci(['--version'], { cwd: REPO_ROOT });
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
});

test("lci keeps V8's compiled code in the user's cache directory, and in no shared one", () => {
  const cache = tempDir();
  const r = lci(['--help'], { cwd: REPO_ROOT, env: { XDG_CACHE_HOME: cache } });
  assert.is(r.code, 0, r.stderr);
  const dir = join(cache, 'lci', 'compile');
  assert.is(statSync(dir).mode & 0o777, 0o700);
  // Node keeps one directory per version and build; lci's own (bundled) modules are in it after one run.
  const [byVersion] = readdirSync(dir);
  assert.ok(byVersion?.startsWith(process.version), String(byVersion));
  assert.ok(readdirSync(join(dir, byVersion!)).length > 5, "the bundle's chunks, not one file");
  const off = tempDir();
  lci(['--help'], { cwd: REPO_ROOT, env: { XDG_CACHE_HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' } });
  assert.equal(readdirSync(off), []);
});

test('unknown commands and flags: one line, exit 2, no stack trace', () => {
  const cmd = lci(['deplo'], { cwd: REPO_ROOT });
  assert.is(cmd.code, 2);
  assert.is(cmd.stderr.split('\n').length, 2, cmd.stderr);
  assert.match(cmd.stderr, /^lci: unknown command 'deplo' \(did you mean 'deploy'\?\); commands: init, validate, plan/);
  const flag = lci(['plan', '--bse', 'x'], { cwd: REPO_ROOT });
  assert.is(flag.code, 2);
  assert.is(flag.stderr, "lci: plan: unknown option '--bse' (did you mean '--base'?); see lci plan --help\n");
  const json = lci(['validate', '--jsno'], { cwd: REPO_ROOT });
  assert.is(json.stderr, "lci: validate: unknown option '--jsno' (did you mean '--json'?); see lci validate --help\n");
  // Nothing close: no guess.
  assert.is(lci(['frobnicate'], { cwd: REPO_ROOT }).stderr.includes('did you mean'), false);
  assert.is(
    lci(['plan', '--zzzzzz'], { cwd: REPO_ROOT }).stderr,
    "lci: plan: unknown option '--zzzzzz'; see lci plan --help\n",
  );
});

test('lci runs bundled; with --debug a stack trace names the lines of src/, through the source maps', () => {
  const r = lci(['plan', '--bse', 'x', '--debug'], { cwd: REPO_ROOT });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^UsageError: plan: unknown option '--bse'/m);
  assert.match(r.stderr, /^ {4}at parseCommand \(.*\/src\/cli\/args\.ts:\d+:\d+\)$/m);
  assert.not.match(r.stderr, /dist\//, 'no frame of the built files');
});

test('a bad config prints locations only, no stack trace, even with --debug', () => {
  const repo = GitRepo.create({
    'lambdas.yaml':
      'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: nowhere }\n',
  });
  for (const args of [['validate'], ['validate', '--debug'], ['plan', '--all']]) {
    const r = lci(args, { cwd: repo.dir });
    assert.is(r.code, 2);
    assert.not.match(r.stderr, /\n\s+at /, 'no stack frames');
    assert.match(r.stderr, /^lambdas\.yaml:6:19: functions\.orders\.path: 'nowhere' does not exist/);
  }
});

// ---- conventions: global options anywhere, help, version, JSON everywhere, output modes ----

const TWO = `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
environments:
  qa: { branch: main }
functions:
  alpha: { path: svc/alpha, descriptor: false }
  beta: { path: svc/beta, descriptor: false }
`;

function twoFunctions(extra: Record<string, string> = {}): GitRepo {
  return GitRepo.create({
    'lambdas.yaml': TWO,
    'svc/alpha/app.py': 'A = 1\n',
    'svc/beta/app.py': 'B = 1\n',
    '.gitignore': '.lci/\n',
    ...extra,
  });
}

test('global options in any position', () => {
  const repo = twoFunctions({ 'deploy/x.yaml': TWO.replace(/svc\//g, '../svc/') });
  assert.match(
    lci(['--debug', 'validate'], { cwd: repo.dir }).stdout,
    /^lambdas\.yaml: ok \(2 functions, 1 environment\)/,
  );
  const r = lci(['-c', 'deploy/x.yaml', 'plan', '--all'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^2 of 2 functions affected/);
  assert.is(lci(['--json', 'plan', '--all'], { cwd: repo.dir }).code, 0);
  assert.is(JSON.parse(lci(['--json', 'validate'], { cwd: repo.dir }).stdout).status, 'VALID');
});

test("lci help COMMAND is the command's help; lci version [--json]", () => {
  const help = lci(['help', 'deploy'], { cwd: REPO_ROOT });
  assert.is(help.code, 0);
  assert.ok(help.stdout.startsWith('Usage: lci deploy'), help.stdout);
  assert.ok(help.stdout.includes('--strategy'));
  assert.is(lci(['help', 'nope'], { cwd: REPO_ROOT }).code, 2);
  assert.match(lci(['version'], { cwd: REPO_ROOT }).stdout, /^\d+\.\d+\.\d+\n$/);
  const v = JSON.parse(lci(['version', '--json'], { cwd: REPO_ROOT }).stdout) as Record<string, unknown>;
  assert.equal(Object.keys(v), ['schemaVersion', 'command', 'version', 'node', 'platform']);
  assert.is(v.schemaVersion, 1);
});

test('--json on validate: the problems as data, exit 2', () => {
  const repo = GitRepo.create({
    'lambdas.yaml':
      'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: nowhere }\n',
  });
  const r = lci(['validate', '--json'], { cwd: repo.dir });
  assert.is(r.code, 2);
  const doc = JSON.parse(r.stdout) as {
    schemaVersion: number;
    status: string;
    problems: { file: string; line: number; col: number; message: string }[];
  };
  assert.is(doc.status, 'INVALID');
  assert.equal(
    doc.problems.map((p) => [p.file, p.line, p.col]),
    [['lambdas.yaml', 6, 19]],
  );
  assert.match(doc.problems[0]!.message, /'nowhere' does not exist/);
});

test('--json on any failing command says so in JSON too', () => {
  const repo = twoFunctions();
  const r = lci(['plan', '--json', '--base', 'no-such-rev-anywhere'], { cwd: repo.dir });
  assert.is(r.code, 2, 'a typed base that names nothing is bad input');
  assert.equal(JSON.parse(r.stdout).status, 'ERROR');
  const bad = lci(['build', 'gamma', '--json'], { cwd: repo.dir });
  assert.is(bad.code, 2);
  assert.equal(JSON.parse(bad.stdout).error.exitCode, 2);
  assert.match(bad.stderr, /^lci: no function named 'gamma'/);
});

test('in CI every progress line names its function; --quiet prints none; --verbose adds the lines about the run', () => {
  const repo = twoFunctions();
  const ci = lci(['build'], { cwd: repo.dir, env: { CI: '1' } });
  assert.is(ci.code, 0, ci.stderr);
  const progress = ci.stderr.trim().split('\n');
  assert.ok(progress.length >= 4, ci.stderr);
  for (const line of progress) assert.match(line, /^\[(alpha|beta)\] /);
  assert.match(ci.stdout, /^built 2 functions into \.lci\/dist\n$/);
  const quiet = lci(['build', '--quiet'], { cwd: repo.dir, env: { CI: 'true' } });
  assert.is(quiet.stderr, '');
  assert.is(quiet.stdout, ci.stdout);
  assert.is(lci(['build', '--quiet', '--verbose'], { cwd: repo.dir }).code, 2);
  const verbose = lci(['build', '--verbose'], { cwd: repo.dir, env: { CI: '1' } });
  const [reading, read, building, ...rest] = verbose.stderr.trim().split('\n');
  assert.equal(
    [reading, read, building],
    ['reading lambdas.yaml', 'lambdas.yaml: 2 functions, 1 environment', 'building 2 functions'],
  );
  for (const line of rest) assert.match(line, /^\[(alpha|beta)\] /);
});

test('a terminal that reports 0 columns gets whole lines, not one character per line', () => {
  const repo = twoFunctions();
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CI|CODEBUILD_|GITHUB_|LC_)/.test(k))),
    LANG: 'C.UTF-8',
  };
  // `script` gives lci a real terminal; without a controlling terminal of our own its size is 0x0.
  const r = spawnSync('script', ['-qec', `stty cols 0 rows 0; ${process.execPath} ${LCI_BIN} build`, '/dev/null'], {
    cwd: repo.dir,
    env,
    encoding: 'utf8',
  });
  assert.is(r.status, 0, r.stdout);
  const lines = r.stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
  assert.ok(
    lines.some((l) => /^\[alpha\] /.test(l)),
    r.stdout,
  );
  assert.ok(
    lines.every((l) => l.length > 3),
    r.stdout,
  );
  const wide = spawnSync(
    'script',
    ['-qec', `stty cols 100 rows 40; ${process.execPath} ${LCI_BIN} build`, '/dev/null'],
    {
      cwd: repo.dir,
      env,
      encoding: 'utf8',
    },
  );
  assert.is(wide.status, 0, wide.stdout);
  assert.match(wide.stdout, /✔ alpha: code /, 'a terminal with a width gets the live renderer');
});

test('a failure is printed once, after the run; --debug adds its stack', () => {
  const outside = tempDir('lci-outside-');
  const repo = twoFunctions();
  symlinkSync(outside, join(repo.dir, 'svc/alpha/leak'));
  repo.commit({}, 'a link out of the repository');
  const r = lci(['build'], { cwd: repo.dir, env: { CI: '1' } });
  assert.is(r.code, 1);
  const mentions = r.stderr.split('\n').filter((l) => l.includes('outside the repository'));
  assert.is(mentions.length, 1, r.stderr);
  assert.match(mentions[0]!, /^lci: function alpha: svc\/alpha\/leak is a symlink to .*, outside the repository/);
  assert.match(r.stderr, /^\[alpha\] FAILED/m);
  assert.match(r.stderr, /^\[beta\] done: /m);
  assert.not.match(r.stderr, /\n\s+at /);
  const debug = lci(['build', '--debug'], { cwd: repo.dir, env: { CI: '1' } });
  assert.match(debug.stderr, /PackageError: .*outside the repository.*\n\s+at /);
});

test('completion scripts for bash, zsh and fish; function names from the config', () => {
  const repo = twoFunctions();
  const bash = lci(['completion', 'bash'], { cwd: repo.dir });
  assert.is(bash.code, 0);
  const check = spawnSync('bash', ['-n'], { input: bash.stdout, encoding: 'utf8' });
  assert.is(check.status, 0, check.stderr);
  const completed = spawnSync(
    'bash',
    [
      '-c',
      `${bash.stdout}\nCOMP_WORDS=(lci deploy ""); COMP_CWORD=2; PATH="${join(REPO_ROOT, 'node_modules/.bin')}:$PATH"; lci() { node ${LCI_BIN} "$@"; }; _lci; echo "\${COMPREPLY[@]}"`,
    ],
    { cwd: repo.dir, encoding: 'utf8' },
  );
  assert.match(completed.stdout, /--strategy/);
  assert.match(completed.stdout, /\balpha\b.*\bbeta\b/);
  assert.match(lci(['completion', 'zsh'], { cwd: repo.dir }).stdout, /^#compdef lci/);
  assert.match(
    lci(['completion', 'fish'], { cwd: repo.dir }).stdout,
    /complete -c lci -n '__fish_use_subcommand' -a deploy/,
  );
  assert.equal(lci(['completion', 'functions'], { cwd: repo.dir }).stdout.trim().split('\n'), ['alpha', 'beta']);
  assert.is(lci(['completion', 'powershell'], { cwd: repo.dir }).code, 2);
});

test.run();
