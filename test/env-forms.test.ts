import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { inTerminal } from './harness/terminal.js';
import { tempDir } from './harness/tmp.js';

// Each global flag has an environment form (LCI_CONFIG, LCI_QUIET, LCI_VERBOSE, LCI_DEBUG) and so has
// --env where it names one environment (LCI_ENV); a flag on the command line wins over its variable.

const CONFIG =
  'version: 1\nartifacts: { bucket: acme-artifacts, region: eu-west-1 }\nenvironments:\n  qa: { branch: main }\n  prod: { tag: "v*", alias: live }\nfunctions:\n  alpha: { path: svc/alpha, descriptor: false }\n  beta: { path: svc/beta, descriptor: false }\n';

function repo(): GitRepo {
  return GitRepo.create({
    'lambdas.yaml': CONFIG,
    // A second config, of alpha alone.
    'deploy/one.yaml': CONFIG.replace('  beta: { path: svc/beta, descriptor: false }\n', '').replace(
      /svc\//g,
      '../svc/',
    ),
    'svc/alpha/app.py': 'A = 1\n',
    'svc/beta/app.py': 'B = 1\n',
    '.gitignore': '.lci/\n',
  });
}

test('LCI_CONFIG is --config; the flag wins', () => {
  const r = repo();
  assert.match(lci(['validate'], { cwd: r.dir }).stdout, /^lambdas\.yaml: ok \(2 functions/);
  assert.match(
    lci(['validate'], { cwd: r.dir, env: { LCI_CONFIG: 'deploy/one.yaml' } }).stdout,
    /^deploy\/one\.yaml: ok \(1 function,/,
  );
  assert.match(
    lci(['validate', '-c', 'lambdas.yaml'], { cwd: r.dir, env: { LCI_CONFIG: 'deploy/one.yaml' } }).stdout,
    /^lambdas\.yaml: ok \(2 functions/,
  );
  // Empty is unset.
  assert.match(lci(['validate'], { cwd: r.dir, env: { LCI_CONFIG: '' } }).stdout, /^lambdas\.yaml: ok/);
});

test('LCI_ENV is --env where it names one environment; the flag wins; a wrong one is named as the variable', () => {
  const r = repo();
  const plan = (args: string[], env: Record<string, string> = {}) =>
    JSON.parse(lci(['plan', '--all', '--json', ...args], { cwd: r.dir, env }).stdout) as {
      env: string | null;
      functions: { awsName?: string }[];
    };
  assert.is(plan([]).env, null);
  assert.is(plan([], { LCI_ENV: 'prod' }).env, 'prod');
  assert.is(plan(['--env', 'qa'], { LCI_ENV: 'prod' }).env, 'qa');
  const wrong = lci(['plan', '--all'], { cwd: r.dir, env: { LCI_ENV: 'staging' } });
  assert.is(wrong.code, 2);
  assert.is(wrong.stderr, 'lci: LCI_ENV=staging: no such environment; declared: qa, prod\n');
  assert.match(lci(['plan', '--all', '--env', 'stagin'], { cwd: r.dir }).stderr, /^lci: --env stagin: no such/);
  // A deploy without either is refused before any work.
  const none = lci(['deploy'], { cwd: r.dir });
  assert.is(none.code, 2);
  assert.is(none.stderr, 'lci: deploy needs --env NAME, or LCI_ENV (--env auto in CI)\n');
  // generate's --env selects environments (several): LCI_ENV does not narrow it.
  const out = tempDir('lci-gen-');
  const gen = lci(['generate', '--out', out, '--json'], { cwd: r.dir, env: { LCI_ENV: 'qa' } });
  assert.is(gen.code, 0, gen.stderr);
  assert.match(readFileSync(join(out, 'main.tf'), 'utf8'), /prod/, 'the prod pipelines are written too');
});

test('LCI_QUIET, LCI_VERBOSE and LCI_DEBUG set how much lci says; --quiet, --verbose or --debug win', async () => {
  const r = repo();
  const ci = { CI: '1' };
  assert.is(lci(['build'], { cwd: r.dir, env: { ...ci, LCI_QUIET: '1' } }).stderr, '');
  assert.match(
    lci(['build', '--verbose'], { cwd: r.dir, env: { ...ci, LCI_QUIET: 'true' } }).stderr,
    /^\[alpha\] started$/m,
  );
  // In a terminal LCI_VERBOSE gives the plain lines instead of the live view; --quiet silences them.
  const verbose = await inTerminal(['build'], { cwd: r.dir, env: { LANG: 'C.UTF-8', LCI_VERBOSE: 'yes' } });
  assert.ok(verbose.screen.includes('[alpha] started'), verbose.screen.join('\n'));
  const quiet = await inTerminal(['build', '--quiet'], { cwd: r.dir, env: { LANG: 'C.UTF-8', LCI_VERBOSE: '1' } });
  assert.equal(quiet.screen, ['built 2 functions into .lci/dist']);
  // LCI_DEBUG adds the stack of a failure; --quiet (or --verbose) on the command line decides instead.
  symlinkSync(tempDir('lci-outside-'), join(r.dir, 'svc/alpha/leak'));
  r.commit({}, 'a link out of the repository');
  assert.match(lci(['build'], { cwd: r.dir, env: { ...ci, LCI_DEBUG: 'on' } }).stderr, /PackageError: .*\n\s+at /);
  assert.not.match(lci(['build'], { cwd: r.dir, env: { ...ci, LCI_DEBUG: '0' } }).stderr, /\n\s+at /);
  assert.not.match(lci(['build', '--verbose'], { cwd: r.dir, env: { ...ci, LCI_DEBUG: '1' } }).stderr, /\n\s+at /);
});

test('a variable that is no switch, or two that contradict each other, is one line and exit 2', () => {
  const r = repo();
  const bad = lci(['validate'], { cwd: r.dir, env: { LCI_DEBUG: 'maybe' } });
  assert.is(bad.code, 2);
  assert.is(
    bad.stderr,
    'lci: LCI_DEBUG=maybe: give 1 (or true, yes, on) to turn it on, 0 (or false, no, off) to turn it off\n',
  );
  const both = lci(['validate'], { cwd: r.dir, env: { LCI_QUIET: '1', LCI_VERBOSE: '1' } });
  assert.is(both.code, 2);
  assert.match(both.stderr, /^lci: LCI_QUIET and LCI_VERBOSE contradict each other; unset one/);
  // A flag settles it.
  assert.is(lci(['validate', '--quiet'], { cwd: r.dir, env: { LCI_QUIET: '1', LCI_VERBOSE: '1' } }).code, 0);
});

test.run();
