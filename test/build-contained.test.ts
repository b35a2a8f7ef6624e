import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildJson, CONFIG, hooksPackage, monorepo, unzipText, zipNames } from './harness/build-project.js';
import { requireDocker } from './harness/docker.js';
import type { GitRepo } from './harness/git-repo.js';

// What a build container may do, asked from inside it: an npm postinstall script writes what it
// sees into /out/probe/, which lands in the layer the test reads.

const PROBE = [
  'mkdir -p /out/probe && cd /out/probe',
  'id -u > uid && id -g > gid',
  'env | sort > env',
  '(touch /probe-root 2>/dev/null && echo writable || echo read-only) > rootfs',
  'awk \'$2 == "/tmp" { print $3 }\' /proc/mounts > tmp-fs',
  'echo "$HOME" > home && touch "$HOME/.probe" && echo yes > home-writable',
  '(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) > memory',
  '(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max) > pids',
  "grep -E '^(NoNewPrivs|CapEff)' /proc/self/status > status",
  'ls /sys/class/net > net',
].join(' && ');

const SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIAHOSTONLY0000',
  AWS_SECRET_ACCESS_KEY: 'host-only-secret/never-in-a-container',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.test/services/host-only',
};

let built: Promise<GitRepo> | undefined;

/** One build of two probing functions: `hooks` with the defaults, `sealed` with its own limits and no network. */
function probed(): Promise<GitRepo> {
  built ??= (async () => {
    const repo = await monorepo({
      'services/hooks/package.json': hooksPackage({ scripts: { postinstall: PROBE } }),
      'services/sealed/index.js': '',
      'services/sealed/package.json': JSON.stringify({
        name: 'sealed',
        version: '1.0.0',
        scripts: { postinstall: PROBE },
        dependencies: { jc: 'file:../../libs/jc' },
      }),
    });
    writeFileSync(
      join(repo.dir, 'lambdas.yaml'),
      CONFIG.replace(`build: { image:`, 'build: { env: { PROBE_MARKER: from-build-env }, image:') +
        '  sealed:\n    path: services/sealed\n    runtime: nodejs20.x\n    build: { memory: 256m, pids: 64, network: none }\n',
    );
    const r = buildJson(repo, ['hooks', 'sealed'], SECRETS);
    assert.is(r.code, 0, r.stderr);
    return repo;
  })();
  return built;
}

function probe(repo: GitRepo, fn: string, name: string): string {
  return unzipText(join(repo.dir, `.lci/dist/${fn}/deps.zip`), `probe/${name}`).trim();
}

const contained = suite('build: the container is contained');

contained.before(requireDocker);

contained(
  'unprivileged (a fixed uid when lci is root), read-only root, tmpfs /tmp as $HOME, no capabilities, no new privileges',
  async () => {
    const repo = await probed();
    const root = process.getuid!() === 0;
    assert.is(probe(repo, 'hooks', 'uid'), root ? '65532' : String(process.getuid!()));
    assert.is(probe(repo, 'hooks', 'gid'), root ? '65532' : String(process.getgid!()));
    assert.is(probe(repo, 'hooks', 'rootfs'), 'read-only');
    assert.is(probe(repo, 'hooks', 'tmp-fs'), 'tmpfs');
    assert.is(probe(repo, 'hooks', 'home'), '/tmp');
    assert.is(probe(repo, 'hooks', 'home-writable'), 'yes');
    assert.match(probe(repo, 'hooks', 'status'), /^NoNewPrivs:\s+1$/m);
    assert.match(probe(repo, 'hooks', 'status'), /^CapEff:\s+0+$/m);
    assert.ok(
      zipNames(join(repo.dir, '.lci/dist/hooks/deps.zip')).includes('nodejs/node_modules/jc/index.js'),
      'and the layer still builds',
    );
  },
);

contained('only build.env and the recipe environment enter: not lci’s AWS credentials nor the Slack URL', async () => {
  const repo = await probed();
  const env = probe(repo, 'hooks', 'env');
  assert.match(env, /^PROBE_MARKER=from-build-env$/m);
  assert.match(env, /^npm_config_cache=\/tmp\/\.npm$/m);
  for (const [k, v] of Object.entries(SECRETS)) {
    assert.not.match(env, new RegExp(`^${k}=`, 'm'), k);
    assert.not.ok(env.includes(v), `${k}'s value`);
  }
  assert.not.match(env, /^(NO_COLOR|CI|DOCKER_HOST)=/m);
});

contained(
  'default limits (2g memory, 1024 processes, the engine network); build.memory, build.pids, build.network: none apply',
  async () => {
    const repo = await probed();
    assert.is(probe(repo, 'hooks', 'memory'), String(2 * 1024 ** 3));
    assert.is(probe(repo, 'hooks', 'pids'), '1024');
    assert.ok(probe(repo, 'hooks', 'net').split('\n').length > 1, 'an interface beside lo');
    assert.is(probe(repo, 'sealed', 'memory'), String(256 * 1024 ** 2));
    assert.is(probe(repo, 'sealed', 'pids'), '64');
    assert.is(probe(repo, 'sealed', 'net'), 'lo');
  },
);

contained('.lci is the user’s only: directories 0700, files 0600, zips owned by the calling user', async () => {
  const repo = await probed();
  const wrong: string[] = [];
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, d.name);
      const mode = statSync(p).mode & 0o777;
      if (d.isDirectory()) {
        if (mode !== 0o700) wrong.push(`${p} ${mode.toString(8)}`);
        walk(p);
      } else if (mode !== 0o600) wrong.push(`${p} ${mode.toString(8)}`);
    }
  };
  walk(join(repo.dir, '.lci'));
  assert.equal(wrong, []);
  for (const kind of ['logs', 'cache/deps', 'dist/hooks', 'tmp'])
    assert.ok(statSync(join(repo.dir, '.lci', kind)).isDirectory(), kind);
  assert.equal(readdirSync(join(repo.dir, '.lci/tmp')), [], 'scratch directories removed');
  for (const zip of ['dist/hooks/deps.zip', 'dist/hooks/app.zip'])
    assert.is(statSync(join(repo.dir, '.lci', zip)).uid, process.getuid!(), zip);
  assert.match(readFileSync(join(repo.dir, '.lci/dist/hooks/manifest.json'), 'utf8'), /"key"/);
});

contained.run();
