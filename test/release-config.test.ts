import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// smoke: and confirm: in lambdas.yaml: every bad value is one located line, exit 2.

const HEAD =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders:\n    path: svc/orders\n    smoke:\n';

function validate(smoke: string, files: Record<string, string> = {}) {
  const repo = GitRepo.create({ 'lambdas.yaml': `${HEAD}${smoke}`, 'svc/orders/app.py': '', ...files });
  return { repo, r: lci(['validate'], { cwd: repo.dir }) };
}

test('a valid smoke list: inline events, a JSON file in the repository, expectations', () => {
  const { r } = validate(
    '      - { event: { ping: true } }\n      - { file: smoke/order.json, expect: { statusCode: 200 } }\n',
    {
      'smoke/order.json': '{"orderId": "o-1"}',
    },
  );
  assert.is(r.code, 0, r.stderr);
});

test('neither or both of event and file; an unknown key', () => {
  const none = validate('      - { expect: 1 }\n').r;
  assert.is(none.code, 2);
  assert.match(
    none.stderr,
    /^lambdas\.yaml:9:9: functions\.orders\.smoke\[0\]: give the event inline \('event: \{\.\.\.\}'\) or in a JSON file/m,
  );
  const both = validate('      - { event: 1, file: e.json }\n', { 'e.json': '1' }).r;
  assert.match(both.stderr, /functions\.orders\.smoke\[0\]\.file: set either 'event' or 'file', not both/);
  const unknown = validate('      - { event: 1, expected: 2 }\n').r;
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /expected/);
});

test('hostile files: out of the repository, absolute, through a symlink, a directory, not JSON, missing', () => {
  const outside = tempDir();
  writeFileSync(join(outside, 'secret.json'), '{"token": "s3cr3t"}');
  const cases: [string, Record<string, string>, RegExp][] = [
    ['../../../etc/passwd', {}, /smoke\[0\]\.file: '\.\.\/\.\.\/\.\.\/etc\/passwd' leaves the repository/],
    ['/etc/hostname', {}, /smoke\[0\]\.file: must be relative to the directory of the config file, not absolute/],
    ['link.json', {}, /smoke\[0\]\.file: 'link\.json' resolves outside the repository \(a symbolic link\)/],
    ['smoke', { 'smoke/a.json': '1' }, /smoke\[0\]\.file: 'smoke' is a directory, not a JSON file/],
    ['bad.json', { 'bad.json': '{ not json' }, /smoke\[0\]\.file: 'bad\.json' is not JSON \(/],
    ['nope.json', {}, /smoke\[0\]\.file: 'nope\.json' does not exist \(relative to lambdas\.yaml's directory\)/],
  ];
  for (const [file, files, message] of cases) {
    const repo = GitRepo.create({
      'lambdas.yaml': `${HEAD}      - { file: "${file}" }\n`,
      'svc/orders/app.py': '',
      ...files,
    });
    if (file === 'link.json') symlinkSync(join(outside, 'secret.json'), join(repo.dir, 'link.json'));
    const r = lci(['validate'], { cwd: repo.dir });
    assert.is(r.code, 2, file);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /s3cr3t/, 'the file outside is never read out');
    assert.is(r.stderr.trim().split('\n').length, 2, `one line, then the count: ${r.stderr}`);
  }
});

test('smoke files are relative to the config file, which may sit below the repository root', () => {
  const repo = GitRepo.create({
    'deploy/lambdas.yaml': `${HEAD.replace('path: svc/orders', 'path: ../svc/orders')}      - { file: ../smoke/order.json }\n`,
    'svc/orders/app.py': '',
    'smoke/order.json': '{}',
  });
  mkdirSync(join(repo.dir, 'deploy/sub'), { recursive: true });
  assert.is(lci(['validate'], { cwd: join(repo.dir, 'deploy/sub') }).code, 0);
});

test('confirm is a boolean on an environment', () => {
  const repo = GitRepo.create({
    'lambdas.yaml':
      'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main, confirm: "yes" }\nfunctions:\n  orders: { path: svc/orders }\n',
    'svc/orders/app.py': '',
  });
  const r = lci(['validate'], { cwd: repo.dir });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^lambdas\.yaml:4:\d+: environments\.qa\.confirm: /);
});

test.run();
