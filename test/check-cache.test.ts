import { createHmac, randomBytes } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkKey, type CheckInputs } from '../src/config/check-cache.js';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// A configuration that passed its checks is not checked again by the next run with the same inputs
// (.lci/cache/config-checks.json, signed with a key in the user's cache directory). What must
// never happen: a kept verdict hiding an error. Every test runs the real CLI with its own cache
// directory, and proves a verdict was reused by planting a warning in it (re-signed with that key).

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts }
environments:
  qa: { branch: main }
functions:
  orders:
    path: services/orders
  invoices:
    path: services/invoices
    descriptor: requirements.txt
`;

const TREE = {
  'lambdas.yaml': CONFIG,
  'services/orders/app.py': 'def handler(e, c): pass\n',
  'services/orders/requirements.txt': 'requests==2.32.0\n',
  'services/invoices/app.py': 'def handler(e, c): pass\n',
  'services/invoices/requirements.txt': 'boto3\n',
};

interface Entry {
  format: number;
  key: string;
  body: string;
  mac: string;
}

function setup(tree: Record<string, string> = TREE) {
  const repo = GitRepo.create(tree);
  const env = { XDG_CACHE_HOME: tempDir('lci-user-cache-') };
  const run = (...args: string[]) => lci(args, { cwd: repo.dir, env });
  const entryFile = join(repo.dir, '.lci/cache/config-checks.json');
  const entry = () => JSON.parse(readFileSync(entryFile, 'utf8')) as Entry;
  const secret = () => Buffer.from(readFileSync(join(env.XDG_CACHE_HOME, 'lci/config-checks.key'), 'utf8'), 'hex');
  /** Rewrites the kept verdict with one more warning, signed with `key` (the user's, unless another is given). */
  const plant = (message: string, key = secret()) => {
    const e = entry();
    const body = JSON.parse(e.body) as { families: string; warnings: unknown[] };
    body.warnings.push({ path: ['functions', 'orders'], anchor: 'key', message });
    const text = JSON.stringify(body);
    const mac = createHmac('sha256', key).update(e.key).update('\0').update(text).digest('hex');
    writeFileSync(entryFile, JSON.stringify({ ...e, body: text, mac }));
  };
  return { repo, env, run, entryFile, entry, plant };
}

const reuse = suite('config checks: a verdict kept for the next run');

reuse('a configuration that passed is kept, and the next run with the same inputs reuses the verdict', () => {
  const t = setup();
  const first = t.run('validate');
  assert.is(first.code, 0, first.stderr);
  assert.ok(existsSync(t.entryFile), 'the verdict is kept');
  t.plant('functions.orders: PLANTED');
  const second = t.run('validate');
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stderr, /lambdas\.yaml:\d+:\d+: functions\.orders: PLANTED/, 'the kept verdict was used');
  const plan = t.run('plan', '--all', '--json');
  assert.is(plan.code, 0, plan.stderr);
});

reuse('any change to the configuration checks it again: an error is never hidden by a kept verdict', () => {
  const t = setup();
  assert.is(t.run('validate').code, 0);
  t.plant('functions.orders: PLANTED');
  // Both functions deploy to one Lambda function: only the checks that read the configuration see it.
  writeFileSync(
    join(t.repo.dir, 'lambdas.yaml'),
    CONFIG.replace('    path: services/invoices\n', '    path: services/invoices\n    functionName: orders\n'),
  );
  for (const args of [['validate'], ['plan', '--all']]) {
    const r = t.run(...args);
    assert.is(r.code, 2, r.stdout);
    assert.match(r.stderr, /both deploy to Lambda function 'orders'/);
    assert.not.match(r.stderr, /PLANTED/);
  }
  // A comment is a change of text too: checked again, and kept anew.
  writeFileSync(join(t.repo.dir, 'lambdas.yaml'), `${CONFIG}# a comment\n`);
  const again = t.run('validate');
  assert.is(again.code, 0, again.stderr);
  assert.not.match(again.stderr, /PLANTED/);
});

reuse('the checks of the files the configuration names run every time: descriptors, paths, what git tracks', () => {
  const t = setup();
  assert.is(t.run('validate').code, 0);
  t.plant('functions.orders: PLANTED');
  // A local path the descriptor names, missing.
  writeFileSync(join(t.repo.dir, 'services/orders/requirements.txt'), 'requests==2.32.0\n../../libs/missing\n');
  let r = t.run('plan', '--all');
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stderr, /services\/orders\/requirements\.txt:2:1: libs\/missing does not exist/);
  writeFileSync(join(t.repo.dir, 'services/orders/requirements.txt'), 'requests==2.32.0\n');
  assert.match(t.run('validate').stderr, /PLANTED/, 'the verdict still holds for the same configuration');
  // A named descriptor git no longer tracks.
  t.repo.git('rm', '-q', '--cached', 'services/invoices/requirements.txt');
  r = t.run('validate');
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stderr, /descriptor services\/invoices\/requirements\.txt is not tracked by git/);
  t.repo.git('add', 'services/invoices/requirements.txt');
  // A function path that went away.
  rmSync(join(t.repo.dir, 'services/orders'), { recursive: true });
  r = t.run('validate');
  assert.is(r.code, 2, r.stdout);
  assert.match(r.stderr, /functions\.orders\.path: 'services\/orders' does not exist/);
});

reuse('a verdict not signed with the user key is ignored: written by hand, committed, or from another machine', () => {
  const t = setup();
  assert.is(t.run('validate').code, 0);
  t.plant('functions.orders: OTHER KEY', randomBytes(32));
  let r = t.run('validate');
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /OTHER KEY/);
  // Changed after it was signed.
  t.plant('functions.orders: SIGNED');
  const e = t.entry();
  writeFileSync(t.entryFile, JSON.stringify({ ...e, body: e.body.replace('SIGNED', 'ALTERED') }));
  r = t.run('validate');
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /ALTERED|SIGNED/);
  // Without the user's key (another user, a fresh machine), nothing kept is trusted.
  t.plant('functions.orders: NO KEY');
  rmSync(join(t.env.XDG_CACHE_HOME, 'lci'), { recursive: true });
  r = t.run('validate');
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /NO KEY/);
});

reuse('a corrupt or unreadable cache is no cache', () => {
  const t = setup();
  assert.is(t.run('validate').code, 0);
  for (const junk of ['', '{', 'null', '{"format":1}', JSON.stringify({ ...t.entry(), body: '{"families":1}' })]) {
    writeFileSync(t.entryFile, junk);
    const r = t.run('plan', '--all', '--json');
    assert.is(r.code, 0, r.stderr);
    assert.is((JSON.parse(r.stdout) as { functions: unknown[] }).functions.length, 2);
  }
  assert.is(t.entry().format, 1, 'a run that checked keeps a sound verdict again');
  // A verdict whose warnings are not warnings is ignored too (signed: only a bug or the user could write it).
  t.plant('x');
  const e = t.entry();
  const body = JSON.stringify({ families: '', warnings: [{ path: 'functions', anchor: 'key', message: 'BAD SHAPE' }] });
  const key = Buffer.from(readFileSync(join(t.env.XDG_CACHE_HOME, 'lci/config-checks.key'), 'utf8'), 'hex');
  const mac = createHmac('sha256', key).update(e.key).update('\0').update(body).digest('hex');
  writeFileSync(t.entryFile, JSON.stringify({ ...e, body, mac }));
  const r = t.run('validate');
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /BAD SHAPE/);
});

reuse('a verdict is never trusted for another repository, even with the same configuration', () => {
  const a = setup();
  assert.is(a.run('validate').code, 0);
  a.plant('functions.orders: FROM A');
  const b = GitRepo.create(TREE);
  cpSync(join(a.repo.dir, '.lci'), join(b.dir, '.lci'), { recursive: true });
  const r = lci(['validate'], { cwd: b.dir, env: a.env });
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /FROM A/);
});

reuse('nothing is written through a linked .lci, and nothing at all for a configuration that fails', () => {
  const t = setup();
  const elsewhere = tempDir('lci-elsewhere-');
  symlinkSync(elsewhere, join(t.repo.dir, '.lci'));
  assert.is(t.run('validate').code, 0);
  assert.not.ok(existsSync(join(elsewhere, 'cache/config-checks.json')), 'not written through the link');
  rmSync(join(t.repo.dir, '.lci'));
  writeFileSync(join(t.repo.dir, 'lambdas.yaml'), CONFIG.replace('qa: { branch: main }', 'qa: {}'));
  assert.is(t.run('validate').code, 2);
  assert.not.ok(existsSync(join(t.repo.dir, '.lci')), 'nothing written');
});

reuse.run();

const key = suite('config checks: what the kept verdict is keyed by');

key(
  'each input of the checks changes the key: lci and its build, the file, how it is shown, its section, its directory, the day, the text',
  () => {
    const inputs: CheckInputs = {
      text: CONFIG,
      filepath: '/repo/lambdas.yaml',
      shownAs: 'lambdas.yaml',
      root: [],
      configDirInRepo: '',
      today: '2026-06-01',
    };
    const base = checkKey(inputs, 'lci 1.0.0 1');
    assert.is(checkKey({ ...inputs }, 'lci 1.0.0 1'), base, 'the same inputs, the same key');
    const changed: [string, string][] = [
      ['version', checkKey(inputs, 'lci 1.0.1 1')],
      ['build', checkKey(inputs, 'lci 1.0.0 2')],
      ['repository', checkKey({ ...inputs, filepath: '/other/lambdas.yaml' }, 'lci 1.0.0 1')],
      ['shown as', checkKey({ ...inputs, shownAs: '../lambdas.yaml' }, 'lci 1.0.0 1')],
      ['section', checkKey({ ...inputs, root: ['lci'] }, 'lci 1.0.0 1')],
      ['directory', checkKey({ ...inputs, configDirInRepo: 'deploy' }, 'lci 1.0.0 1')],
      ['day', checkKey({ ...inputs, today: '2026-06-02' }, 'lci 1.0.0 1')],
      ['text', checkKey({ ...inputs, text: `${CONFIG} ` }, 'lci 1.0.0 1')],
    ];
    for (const [what, k] of changed) assert.is.not(k, base, what);
    assert.is(new Set(changed.map(([, k]) => k)).size, changed.length);
  },
);

key.run();
