import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LCI_BIN } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

// Numbers in flags are decimal digits within a documented range, and a flag that takes one value
// is given once: anything else is one line, exit 2, before any work (the old code read `0x10` as
// 16, `1e9` as a billion, and `--env qa --env prod` as prod).

const CONFIG =
  'version: 1\nartifacts: { bucket: acme-artifacts, region: eu-west-1 }\nenvironments:\n  qa: { branch: main }\n  prod: { tag: "v*" }\nfunctions:\n  orders: { path: svc }\n';

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [LCI_BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 20_000,
    // Nothing may reach AWS: a flag problem stops the run first.
    env: { ...process.env, NO_COLOR: '1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', ...env },
  });
  assert.is(r.signal, null, `lci did not finish: ${args.join(' ')}`);
  return { code: r.status, stderr: r.stderr };
}

function refused(r: { code: number | null; stderr: string }, pattern: RegExp, what: string): void {
  assert.is(r.code, 2, `${what}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `${what}: ${r.stderr}`);
  assert.match(lines[0]!, pattern, what);
}

test('numbers: hex, exponents and values outside the documented range are refused', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  const cases: [string[], RegExp][] = [
    [
      ['generate', '--layout', 'environment', '--shards', '0x10'],
      /^lci: --shards 0x10: give a whole number from 1 to 100, in decimal digits$/,
    ],
    [
      ['generate', '--layout', 'environment', '--shards', '1e2'],
      /^lci: --shards 1e2: give a whole number from 1 to 100/,
    ],
    [
      ['deploy', '--env', 'qa', '--dry-run', '--concurrency', '1e9'],
      /^lci: --concurrency 1e9: give a whole number from 1 to 256/,
    ],
    [['build', '-j', '0x4'], /^lci: --concurrency 0x4: give a whole number from 1 to 256/],
    [['prune', '--keep', '1e3'], /^lci: --keep 1e3: give a whole number from 1 to 1000/],
    [
      ['deploy', '--env', 'qa', '--dry-run', '--rate', '0.0000001'],
      /^lci: --rate 0\.0000001: give the requests per second .* each from 0\.1 to 100000/,
    ],
    [['logs', 'orders', '--env', 'qa', '--since', '1e9d'], /^lci: --since '1e9d' is not a duration: give a number/],
    [['logs', 'orders', '--env', 'qa', '--since', '400d'], /^lci: --since '400d' is longer than 366d$/],
  ];
  for (const [args, pattern] of cases) refused(run(args, repo.dir), pattern, args.join(' '));
  refused(
    run(['status', '--env', 'qa'], repo.dir, { LCI_LAMBDA_RATE: '1e2' }),
    /^lci: LCI_LAMBDA_RATE 1e2: give the requests per second/,
    'LCI_LAMBDA_RATE',
  );
});

test('a flag that takes one value, given twice, is refused; one that takes several is not', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  refused(
    run(['deploy', '--env', 'qa', '--dry-run', '-e', 'prod'], repo.dir),
    /^lci: deploy: --env given twice \('qa' and 'prod'\); it takes one value, give it once$/,
    'deploy --env',
  );
  refused(
    run(['-c', 'lambdas.yaml', 'validate', '--config', 'other.yaml'], repo.dir),
    /^lci: validate: --config given twice/,
    '--config',
  );
  refused(run(['plan', '--base', 'HEAD', '--base', 'HEAD~1'], repo.dir), /^lci: plan: --base given twice/, 'plan');
  const generate = run(['generate', '--env', 'qa', '--env', 'prod', '--check'], repo.dir);
  assert.not.match(generate.stderr, /given twice/);
});

test('help states each range', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': CONFIG, 'svc/app.py': '' });
  const help = (cmd: string) =>
    spawnSync(process.execPath, [LCI_BIN, cmd, '--help'], { cwd: repo.dir, encoding: 'utf8' }).stdout;
  assert.match(help('deploy'), /--concurrency N +functions deployed at once, 1 to 256/);
  assert.match(help('deploy'), /each 0\.1 to 100000/);
  assert.match(help('build'), /functions built at once, 1 to 256/);
  assert.match(help('prune'), /1 to 1000/);
  assert.match(help('generate'), /at most 100/);
  assert.match(help('logs'), /at most 366d/);
});

test.run();
