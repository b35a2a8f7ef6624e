#!/usr/bin/env node
// bench/terminal: how soon lci says something in a terminal, and what `lci plan` pays at start-up,
// on a config of 2,000 functions. Each command runs in a pty (`script`, 120x40) and the time from
// spawn to its first byte is taken, and to its exit; `lci plan --all` is timed without a terminal.
// `lci deploy --dry-run` talks to an endpoint that refuses connections (fake credentials): what
// is measured is everything before the first Lambda call (imports, the config, git, credentials).
// Usage: node bench/terminal/run.mjs [RUNS] [OTHER_LCI_BIN]   (OTHER_LCI_BIN: a build to compare,
// e.g. the bin/lci.js of a checkout of the branch point)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const runs = Number(process.argv[2] ?? 5);
const bins = [['this checkout', join(root, 'bin/lci.js')], ...(process.argv[3] ? [['other', process.argv[3]]] : [])];
const FUNCTIONS = 2000;
const repo = join(root, 'bench/.work/terminal-repo');

function generate() {
  const stamp = join(repo, '.bench-version');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === '1') return;
  mkdirSync(repo, { recursive: true });
  const yaml = [
    'version: 1',
    'artifacts: { bucket: bench-artifacts, region: eu-west-1 }',
    'environments:',
    '  qa: { branch: main }',
    '  prod: { tag: "v*", alias: live }',
    'functions:',
  ];
  for (let i = 0; i < FUNCTIONS; i++) {
    const name = `fn-${String(i).padStart(4, '0')}`;
    yaml.push(`  ${name}: { path: svc/${name}, descriptor: false }`);
    mkdirSync(join(repo, 'svc', name), { recursive: true });
    for (let j = 0; j < 3; j++) writeFileSync(join(repo, 'svc', name, `m${j}.py`), `X = ${j}\n`);
  }
  writeFileSync(join(repo, 'lambdas.yaml'), `${yaml.join('\n')}\n`);
  writeFileSync(join(repo, '.gitignore'), '.lci/\n.bench-version\n');
  const git = (...a) => execFileSync('git', a, { cwd: repo, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'bench');
  writeFileSync(stamp, '1');
}

const env = { ...process.env, LANG: 'C.UTF-8', TERM: 'xterm-256color' };
for (const k of Object.keys(env)) if (/^(CI|CODEBUILD_|GITHUB_|LCI_|NO_COLOR|FORCE_COLOR)/.test(k)) delete env[k];
const aws = {
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'eu-west-1',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** First byte and exit of `lci args` in a 120x40 pty, in ms from spawn. */
function inPty(bin, args, extraEnv = {}) {
  const words = Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`);
  const command = `stty cols 120 rows 40; exec env ${words.join(' ')} ${process.execPath} ${bin} ${args.join(' ')}`;
  return new Promise((resolve) => {
    const t0 = performance.now();
    let first = null;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: repo,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', () => {
      first ??= performance.now() - t0;
    });
    child.on('close', () => resolve({ first, exit: performance.now() - t0 }));
  });
}

function wall(bin, args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: repo, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`lci ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

generate();
console.error(`bench/terminal: ${FUNCTIONS} functions in ${repo}, median of ${runs} runs`);
const rows = [['lci', 'measure', ...bins.map(([label]) => `${label} (ms)`)]];
const cases = [
  ['build fn-0007, first byte', (bin) => inPty(bin, ['build', 'fn-0007']).then((r) => r.first)],
  ['build fn-0007, exit', (bin) => inPty(bin, ['build', 'fn-0007']).then((r) => r.exit)],
  [
    'deploy --dry-run, first byte',
    (bin) => inPty(bin, ['deploy', 'fn-0007', '--env', 'qa', '--dry-run'], aws).then((r) => r.first),
  ],
  ['plan --all, wall (no terminal)', async (bin) => wall(bin, ['plan', '--all'])],
  ['version, wall (no terminal)', async (bin) => wall(bin, ['version'])],
];
for (const [label, measure] of cases) {
  const cells = [];
  for (const [, bin] of bins) {
    const samples = [];
    for (let i = 0; i < runs; i++) samples.push(await measure(bin));
    cells.push(String(Math.round(median(samples))));
    console.error(`  ${label}: ${samples.map((s) => Math.round(s)).join(' / ')} ms`);
  }
  rows.push(['', label, ...cells]);
}
const cpus = execFileSync('nproc').toString().trim();
console.log(`bench/terminal: ${FUNCTIONS} functions, ${cpus} cores, median of ${runs} runs`);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows.slice(0))
  console.log(
    r
      .slice(1)
      .map((c, i) => (i === 0 ? c.padEnd(widths[i + 1]) : c.padStart(widths[i + 1])))
      .join('  '),
  );
