import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

// A name from a directory, a file or a flag reaches the terminal only as printable text: an escape
// sequence (here one that retitles the terminal) is shown as `\x1b`, and a newline cannot start a
// line that reads as another problem.

const TITLE = 'esc\x1b]0;PWNED\x07x';
const FORGED = 'nl\nlambdas.yaml:1:1: forged';

const CONFIG =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  job-*: { pathPattern: "jobs/*" }\n';

/** No byte a terminal would act on: C0 controls but the newlines between lines, DEL, C1. */
function assertPrintable(text: string): void {
  assert.not.match(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/, JSON.stringify(text));
}

test('validate: a family directory holding an escape sequence or a newline is named with visible escapes, one line per problem', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG,
    [`jobs/${TITLE}/app.py`]: '',
    [`jobs/${FORGED}/app.py`]: '',
    'jobs/ok/app.py': '',
  });
  const r = lci(['validate'], { cwd: repo.dir });
  assert.is(r.code, 2, r.stderr);
  assertPrintable(r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 3, r.stderr);
  assert.match(
    lines[0]!,
    /^lambdas\.yaml:6:3: functions\.job-\*: directory 'jobs\/esc\\x1b\]0;PWNED\\x07x' would make/,
  );
  assert.match(
    lines[1]!,
    /^lambdas\.yaml:6:3: functions\.job-\*: directory 'jobs\/nl\\nlambdas\.yaml:1:1: forged' would/,
  );
  assert.is(lines[2], '2 problems in the configuration');
  // The JSON keeps the names as they are (JSON escapes them itself).
  const json = lci(['validate', '--json'], { cwd: repo.dir });
  assert.ok(json.stdout.includes('PWNED\\u0007x'), json.stdout);
});

test('a usage error quoting a flag value, and a plan table listing a changed path, escape them too', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG.replace('job-*: { pathPattern: "jobs/*" }', 'orders: { path: svc }'),
    'svc/app.py': '',
  });
  repo.commit({ [`svc/${TITLE}.py`]: '' });
  const bad = lci(['plan', '--base', `x${TITLE}`], { cwd: repo.dir });
  assert.is(bad.code, 2);
  assertPrintable(bad.stderr);
  assert.match(bad.stderr, /^lci: --base xesc\\x1b\]0;PWNED\\x07x does not name a commit/);
  const plan = lci(['plan', '--base', 'HEAD~1'], { cwd: repo.dir });
  assert.is(plan.code, 0, plan.stderr);
  assertPrintable(plan.stdout);
  assert.match(plan.stdout, /orders +svc\/esc\\x1b\]0;PWNED\\x07x\.py is under its path svc/);
});

test.run();
