#!/usr/bin/env node
// The main job on the example monorepo: copy examples/monorepo into a fresh git repository,
// commit a few realistic changes, and let `lci` validate and plan each of them.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lci = join(root, 'bin/lci.js');
const dir = mkdtempSync(join(tmpdir(), 'lci-demo-'));
cpSync(join(root, 'examples/monorepo'), dir, { recursive: true });

const env = { ...process.env, GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@example.com' };
const git = (...args) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
const commit = (message) => {
  git('add', '-A');
  git('commit', '-qm', message);
  return git('rev-parse', 'HEAD');
};
const run = (...args) => {
  console.log(`\n$ lci ${args.join(' ')}`);
  try {
    process.stdout.write(execFileSync(process.execPath, [lci, ...args], { cwd: dir, encoding: 'utf8' }));
  } catch (e) {
    process.stdout.write(e.stdout ?? '');
    process.stderr.write(e.stderr ?? '');
    if (e.status !== 3) process.exit(e.status ?? 1);
  }
};
const edit = (path, change) => writeFileSync(join(dir, path), change(readFileSync(join(dir, path), 'utf8')));

git('init', '-q', '-b', 'main');
const first = commit('example monorepo');
console.log(`example monorepo committed in ${dir}`);
run('validate');

edit('libs/js-common/index.js', (s) => s + '// constant-time compare next\n');
const second = commit('js-common: comment');
console.log('\n# a change in the shared JS library reaches the function that depends on it with file: and the one that watches it');
run('plan', '--base', first, '--head', second);

edit('lambdas.yaml', (s) => s.replace('handler: handler.main', 'handler: handler.run'));
edit('services/orders-api/tests/test_app.py', (s) => s + '\n\ndef test_zero():\n    assert handler({}, None)["statusCode"] == 200\n');
const third = commit('invoice-worker: new handler; orders-api: one more test');
console.log('\n# a config change affects only the function whose configuration changed; a test left out of the package (exclude) affects nothing');
run('plan', '--base', second, '--env', 'prod');

edit('libs/common/src/acme_common/money.py', (s) => s.replace('* 100', '* 100  # cents'));
commit('common: comment');
console.log('\n# the shared python library is a shared glob: every function, as JSON');
run('plan', '--base', third, '--env', 'qa', '--json');

console.log('\n# nothing changed: exit code 3 with --exit-code');
run('plan', '--base', 'HEAD', '--exit-code');
