import { execFileSync, spawn, spawnSync } from 'node:child_process';
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

/** A child that may hang: SIGTERM after `termAfterMs`, SIGKILL 10 s later (so a run that ignores SIGTERM ends as killed). */
function runUntil(args: string[], cwd: string, env: Record<string, string>, termAfterMs: number, stdin?: 'open') {
  const start = Date.now();
  const child = spawn(process.execPath, [LCI_BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: [stdin === 'open' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const term = setTimeout(() => child.kill('SIGTERM'), termAfterMs);
  const kill = setTimeout(() => child.kill('SIGKILL'), termAfterMs + 10_000);
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number }>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ code, signal, stderr, ms: Date.now() - start });
    }),
  );
}

test('GITHUB_EVENT_PATH naming /dev/zero, a FIFO, a directory or a file that is no JSON: one line at once, exit 2', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  execFileSync('mkfifo', [join(repo.dir, 'event.fifo')]);
  writeFileSync(join(repo.dir, 'broken.json'), '{"before":');
  const cases: [string, RegExp][] = [
    [
      '/dev/zero',
      /^lci: GITHUB_EVENT_PATH=\/dev\/zero is not a regular file \(a device\); it should name the event file/,
    ],
    [join(repo.dir, 'event.fifo'), /^lci: GITHUB_EVENT_PATH=.*event\.fifo is not a regular file \(a FIFO\)/],
    [repo.dir, /^lci: GITHUB_EVENT_PATH=.* is a directory; /],
    [join(repo.dir, 'broken.json'), /^lci: GITHUB_EVENT_PATH=.*broken\.json is not JSON \(/],
    [join(repo.dir, 'absent.json'), /^lci: GITHUB_EVENT_PATH=.*absent\.json does not exist; /],
  ];
  for (const [path, pattern] of cases) {
    // The old code read /dev/zero until memory ran out and blocked on the FIFO, deaf to SIGTERM.
    const r = await runUntil(['plan'], repo.dir, { GITHUB_EVENT_PATH: path }, 5_000);
    assert.is(r.signal, null, `${path}: ended by ${r.signal}`);
    assert.is(r.code, 2, `${path}: ${r.stderr}`);
    oneLine(r.stderr, pattern);
    assert.ok(r.ms < 5_000, `${path}: ${r.ms} ms`);
  }
});

test('--event naming /dev/zero, a FIFO or a directory, and a GITHUB_OUTPUT that is a FIFO: one line at once, exit 2', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  execFileSync('mkfifo', [join(repo.dir, 'event.fifo')]);
  for (const [event, pattern] of [
    ['/dev/zero', /^lci: --event \/dev\/zero is not a regular file \(a device\); pass a JSON file, or - for stdin$/],
    ['event.fifo', /^lci: --event event\.fifo is not a regular file \(a FIFO\)/],
    ['svc', /^lci: --event svc is a directory; /],
  ] as const) {
    const r = await runUntil(['invoke', 'orders', '--local', '--event', event], repo.dir, {}, 5_000);
    assert.is(r.signal, null, `${event}: ended by ${r.signal}`);
    assert.is(r.code, 2, r.stderr);
    oneLine(r.stderr, pattern);
  }
  const out = await runUntil(
    ['plan', '--all', '--github-output'],
    repo.dir,
    { GITHUB_OUTPUT: join(repo.dir, 'event.fifo') },
    5_000,
  );
  assert.is(out.signal, null, `GITHUB_OUTPUT: ended by ${out.signal}`);
  assert.is(out.code, 2, out.stderr);
  oneLine(out.stderr, /^lci: GITHUB_OUTPUT=.*event\.fifo is not a regular file \(a socket or FIFO\); /);
});

test('generate: a FIFO where it would read a file it wrote is one line, exit 2, not a hang', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  execFileSync('mkdir', ['-p', join(repo.dir, 'infra/lambda-ci')]);
  execFileSync('mkfifo', [join(repo.dir, 'infra/lambda-ci/main.tf')]);
  const r = await runUntil(['generate', '--check'], repo.dir, {}, 5_000);
  assert.is(r.signal, null, `ended by ${r.signal}`);
  assert.is(r.code, 2, r.stderr);
  oneLine(
    r.stderr,
    /^lci: .*infra\/lambda-ci\/main\.tf is not a regular file \(a FIFO\); move it away or choose another --out$/,
  );
});

/**
 * Pipes up to `bytes` of one endless JSON string into lci's stdin (a writer that stops when lci
 * closes the pipe) and reports how lci ended, how much it took in and its peak RSS. Python does
 * the feeding because it can report a child's peak RSS (getrusage), which Node cannot.
 */
const FEED = `
import json, resource, subprocess, sys, time
limit = int(sys.argv[1])
start = time.time()
p = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
chunk = b"x" * (1 << 20)
sent = 0
try:
    p.stdin.write(b'{"a":"')
    while sent < limit:
        p.stdin.write(chunk)
        sent += len(chunk)
    p.stdin.close()
except BrokenPipeError:
    pass
err = p.stderr.read().decode()
p.wait()
print(json.dumps({"code": p.returncode, "stderr": err, "sent": sent, "seconds": time.time() - start,
                  "maxRssKb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
`;

test('--event - with an endless stdin stops reading at 6 MB: one line, exit 2, bounded memory', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  const feed = 600 * 1024 * 1024;
  const r = spawnSync(
    'python3',
    ['-c', FEED, String(feed), process.execPath, LCI_BIN, 'invoke', 'orders', '--local', '--event', '-'],
    { cwd: repo.dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
  );
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { code: number; stderr: string; sent: number; seconds: number; maxRssKb: number };
  assert.is(out.code, 2, out.stderr);
  oneLine(out.stderr, /^lci: --event -: more than 6291456 bytes; Lambda takes events of at most 6291456 bytes$/);
  // lci closed the pipe near the limit (the old code read all 600 MB, 1.2 GB RSS).
  assert.ok(out.sent < 64 * 1024 * 1024, `lci took ${out.sent} bytes`);
  assert.ok(out.maxRssKb < 200 * 1024, `peak RSS ${out.maxRssKb} kB`);
  assert.ok(out.seconds < 10, `${out.seconds} s`);
});

test('SIGTERM while lci waits on stdin ends it at once with 143', async () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  // stdin stays open and empty: lci waits for the event; the old code waited out its 10 s grace period.
  const r = await runUntil(['invoke', 'orders', '--local', '--event', '-'], repo.dir, {}, 1_000, 'open');
  assert.is(r.signal, null);
  assert.is(r.code, 143, r.stderr);
  oneLine(r.stderr, /^lci: interrupted by SIGTERM; stopped$/);
  assert.ok(r.ms < 4_000, `${r.ms} ms`);
});

test.run();
