import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LCI_BIN } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

// Hostile and careless input: each is one clear line and exit 2. The 20 s timeout only guards
// against a hang (the old code took 30 s to minutes on these); speed is measured in bench/.

const CONFIG =
  'version: 1\nartifacts: { bucket: acme-artifacts }\nenvironments:\n  qa: { branch: main }\nfunctions:\n  orders: { path: svc }\n';

/**
 * `permissionsApply`: lci runs as root without the capabilities that let root read any file, so a
 * mode-000 file is refused as it would be for any user, while the checkout (root's, wherever it
 * lives, a 0700 mktemp directory included) stays readable. Switching to another user instead
 * would fail on the checkout's own directory.
 */
function run(args: string[], cwd: string, opts: { permissionsApply?: boolean; env?: Record<string, string> } = {}) {
  const cmd = opts.permissionsApply
    ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', process.execPath, LCI_BIN, ...args]
    : [process.execPath, LCI_BIN, ...args];
  const r = spawnSync(cmd[0]!, cmd.slice(1), {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  assert.is(r.signal, null, `lci did not finish: ${args.join(' ')}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, stderr);
  assert.match(lines[0]!, pattern);
}

test('a YAML alias bomb is refused before it expands', () => {
  const lines = ['x0: &l0 [a, a, a, a, a, a, a, a, a, a]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `x${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  const repo = GitRepo.create({
    'lambdas.yaml': `${lines.join('\n')}\n${CONFIG.replace('{ path: svc }', '{ path: svc, watch: *l8 }')}`,
    'svc/app.py': '',
  });
  const r = run(['validate'], repo.dir);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^lambdas\.yaml:1:1: YAML aliases expand to too much data/);
});

test('a few aliases (merge keys) still work', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `defaults: &common { runtime: python3.12 }\n${CONFIG.replace('{ path: svc }', '{ <<: *common, path: svc }')}`,
    'svc/app.py': '',
  });
  const r = run(['validate'], repo.dir);
  assert.is(r.code, 0, r.stderr);
});

test('a glob with catastrophic backtracking is refused, naming it', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG.replace('{ path: svc }', '{ path: svc, watch: ["**/*a*a*a*a*b"] }'),
    'svc/app.py': '',
  });
  writeFileSync(join(repo.dir, `${'a'.repeat(250)}`), '');
  for (const args of [['validate'], ['plan', '--all']]) {
    const r = run(args, repo.dir);
    assert.is(r.code, 2);
    assert.match(
      r.stderr,
      /^lambdas\.yaml:6:32: functions\.orders\.watch\[0\]: '\*a\*a\*a\*a\*b' has 5 '\*' wildcards in one path segment \(at most 3\)/,
    );
  }
  const ref = GitRepo.create({
    'lambdas.yaml': CONFIG.replace('{ branch: main }', '{ branch: "*a*a*a*a*a*b" }'),
    'svc/app.py': '',
  });
  assert.match(
    run(['validate'], ref.dir).stderr,
    /environments\.qa\.branch: '\*a\*a\*a\*a\*a\*b' has 6 '\*' wildcards/,
  );
});

test('--config naming a directory, a FIFO, /dev/zero or an unreadable file: one line, exit 2', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '', 'locked.yaml': CONFIG });
  execFileSync('mkfifo', [join(repo.dir, 'fifo.yaml')]);
  chmodSync(join(repo.dir, 'locked.yaml'), 0o000);
  const cases: [string, RegExp][] = [
    ['svc', /^lci: svc is a directory; pass the config file itself/],
    ['fifo.yaml', /^lci: fifo\.yaml is not a regular file/],
    ['/dev/zero', /^lci: \/dev\/zero is not a regular file/],
  ];
  for (const [config, pattern] of cases) {
    const r = run(['validate', '--config', config], repo.dir);
    assert.is(r.code, 2, config);
    oneLine(r.stderr, pattern);
  }
  const r = run(['validate', '--config', 'locked.yaml'], repo.dir, { permissionsApply: true });
  assert.is(r.code, 2);
  oneLine(r.stderr, /^lci: locked\.yaml cannot be read \(permission denied\)/);
});

test('a broken package.json on the way up is one line naming it', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '', 'svc/package.json': '{"name": broken\n' });
  const r = run(['validate'], join(repo.dir, 'svc'));
  assert.is(r.code, 2);
  oneLine(r.stderr, /^lci: package\.json is not valid JSON \(.*\); lci reads every package\.json on its way up/);
});

test('a source version that is not one safe S3 key segment is refused', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG.replace('acme-artifacts }', 'acme-artifacts, region: eu-west-1 }'),
    'svc/app.py': '',
  });
  for (const [v, pattern] of [
    ['latest', /is reserved for the latest\/ copies/],
    ['.', /is a path step/],
    ['..', /is a path step/],
    ['_lci', /starts with '_', reserved for lci's own keys/],
    ['a/../b', /must be 1 to 128 letters/],
  ] as const) {
    const r = run(['deploy', '--env', 'qa', '--source-version', v, '--dry-run'], repo.dir, {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
    });
    assert.is(r.code, 2, v);
    assert.match(
      r.stderr,
      new RegExp(`^lci: source version '${v.replace(/\./g, '\\.')}' \\(from --source-version\\) ${pattern.source}`),
    );
  }
  const ci = run(['deploy', '--env', 'qa', '--dry-run'], repo.dir, {
    env: { CODEBUILD_RESOLVED_SOURCE_VERSION: '..', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
  });
  assert.match(ci.stderr, /^lci: source version '\.\.' \(from CODEBUILD_RESOLVED_SOURCE_VERSION\) is a path step/);
});

test.run();
