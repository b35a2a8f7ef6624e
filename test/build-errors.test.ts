import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONFIG, hooksPackage, monorepo } from './harness/build-project.js';
import { lci, LCI_BIN, lciAsync } from './harness/cli.js';
import { containersCreated, docker, leftoverContainers, projectLabel, requireDocker } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// Every way a dependency build fails for reasons outside the descriptor, as the user reads it:
// one line naming the cause and the fix, exit 1, never "unexpected error".

const HOOK_ONLY = `version: 1
artifacts: { bucket: acme-artifacts }
environments:
  qa: { branch: main }
functions:
  hooks:
    path: services/hooks
    runtime: nodejs20.x
`;

function hooksRepo(): GitRepo {
  return GitRepo.create({
    'lambdas.yaml': HOOK_ONLY,
    'services/hooks/index.js': '',
    // A dependency makes a layer to build (a package.json without any builds none).
    'services/hooks/package.json': JSON.stringify({
      name: 'hooks',
      version: '1.0.0',
      dependencies: { 'left-pad': '1.3.0' },
    }),
  });
}

/** The lines lci printed about one function: exactly one, the explanation. */
function failureLines(stderr: string, fn: string): string[] {
  const lines = stderr.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`lci: function ${fn}: `));
  if (at < 0) return [];
  const out = [lines[at]!];
  for (const l of lines.slice(at + 1)) {
    if (l === '' || l.startsWith('lci: ')) break;
    out.push(l);
  }
  return out;
}

function assertExplained(r: { code: number; stderr: string }, fn: string, expected: RegExp): void {
  assert.is(r.code, 1, r.stderr);
  assert.not.match(r.stderr, /unexpected error/);
  const lines = failureLines(r.stderr, fn);
  assert.is(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, expected);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A unix socket file nobody listens on, as a stopped daemon leaves /var/run/docker.sock. */
function deadSocket(mode: number): string {
  const path = join(tempDir(), 'docker.sock');
  execFileSync('python3', [
    '-c',
    'import socket,sys\ns = socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.close()',
    path,
  ]);
  chmodSync(path, mode);
  return path;
}

const engine = suite('build errors: the Docker engine cannot be reached');

engine('DOCKER_HOST names a socket that does not exist', () => {
  const repo = hooksRepo();
  const sock = join(repo.dir, 'no-such-dir/docker.sock');
  const r = lci(['build'], { cwd: repo.dir, env: { DOCKER_HOST: `unix://${sock}` } });
  assertExplained(
    r,
    'hooks',
    new RegExp(
      `^lci: function hooks: cannot reach the Docker engine at unix://${sock} \\(DOCKER_HOST\\): no such socket; start the engine \\(dockerd, Docker Desktop\\) or set DOCKER_HOST to its address$`,
    ),
  );
});

engine('DOCKER_HOST names a 127.0.0.1 port nobody listens on', async () => {
  const repo = hooksRepo();
  const port = await freePort();
  const r = lci(['build'], { cwd: repo.dir, env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` } });
  assertExplained(
    r,
    'hooks',
    new RegExp(
      `cannot reach the Docker engine at tcp://127\\.0\\.0\\.1:${port} \\(DOCKER_HOST\\): connection refused, the daemon is not running there; start the engine`,
    ),
  );
});

engine('the daemon is down: its socket file is left, nothing listens', () => {
  const repo = hooksRepo();
  const sock = deadSocket(0o666);
  const r = lci(['build'], { cwd: repo.dir, env: { DOCKER_HOST: `unix://${sock}` } });
  assertExplained(r, 'hooks', /: connection refused, the daemon is not running there; start the engine/);
});

engine('permission denied on the socket (lci as an unprivileged user; the socket mode 000)', () => {
  const repo = hooksRepo();
  const sock = deadSocket(0o000);
  let r: { code: number; stderr: string };
  if (process.getuid!() === 0) {
    // root opens any socket: run lci as root without the capabilities that override file modes
    // (another user could not even enter a checkout under a 0700 mktemp directory)
    const child = spawnSync(
      'setpriv',
      ['--bounding-set=-dac_override,-dac_read_search', process.execPath, LCI_BIN, 'build'],
      {
        cwd: repo.dir,
        env: { PATH: process.env.PATH, NO_COLOR: '1', HOME: process.env.HOME, DOCKER_HOST: `unix://${sock}` },
        encoding: 'utf8',
      },
    );
    r = { code: child.status ?? 1, stderr: child.stderr + (child.error ? String(child.error) : '') };
  } else {
    r = lci(['build'], { cwd: repo.dir, env: { DOCKER_HOST: `unix://${sock}` } });
  }
  assertExplained(
    r,
    'hooks',
    /: permission denied on the socket; add your user to the docker group \(and log in again\), or run lci as a user who may use Docker$/,
  );
});

engine('a function without dependencies builds without asking for an engine', () => {
  const repo = GitRepo.create({ 'lambdas.yaml': HOOK_ONLY, 'services/hooks/index.js': '' });
  const r = lci(['build'], { cwd: repo.dir, env: { DOCKER_HOST: 'unix:///no/such/docker.sock' } });
  assert.is(r.code, 0, r.stderr);
});

engine.run();

const container = suite('build errors: image, mounts, memory, a kill');

container.before(requireDocker);

container('an image the engine lacks and cannot pull: named, with how to provide it; no container', async () => {
  const repo = hooksRepo();
  const image = `lci-build:missing-${process.pid}`;
  writeFileSync(join(repo.dir, 'lambdas.yaml'), `${HOOK_ONLY}    build: { image: "${image}" }\n`);
  const t0 = Date.now();
  const r = lci(['build'], { cwd: repo.dir });
  assertExplained(
    r,
    'hooks',
    new RegExp(
      `^lci: function hooks: image ${image} is not on the Docker engine and could not be pulled \\(.+\\); provide it: docker pull ${image} where the registry is reachable, or docker load -i IMAGE\\.tar, or set build\\.image to an image the engine has$`,
    ),
  );
  assert.is(await containersCreated(repo.dir, t0, Date.now()), 0);
});

container(
  'a path the engine does not see (lci in another mount namespace): Docker rejects the bind, lci says why',
  async () => {
    const repo = await monorepo();
    // lci sees the repository at `view`; the engine sees `view` as the empty directory it is outside the namespace.
    const view = tempDir('lci-view-');
    const script = 'mount --bind "$1" "$2" && cd "$2" && exec "$3" "$4" build hooks';
    const child = spawnSync(
      'unshare',
      [
        ...(process.getuid!() === 0 ? ['-m'] : ['-rm']),
        '--propagation',
        'private',
        'sh',
        '-c',
        script,
        'sh',
        repo.dir,
        view,
        process.execPath,
        LCI_BIN,
      ],
      {
        env: { ...process.env, NO_COLOR: '1' },
        encoding: 'utf8',
      },
    );
    assertExplained(
      { code: child.status ?? 1, stderr: child.stderr },
      'hooks',
      new RegExp(
        `^lci: function hooks: Docker cannot mount ${view}/\\S+ into the build container \\(invalid mount config for type "bind": bind source path does not exist: .+\\): the engine does not see lci's files at this path; run lci on the machine`,
      ),
    );
    assert.is(await leftoverContainers(view), 0);
  },
);

container('out of memory: the kernel kills the build at build.memory; lci says so and how to raise it', async () => {
  const repo = await monorepo({
    'services/hooks/package.json': hooksPackage({
      scripts: { postinstall: `python3 -c "b = bytearray(b'1') * (1024 << 20)"` },
    }),
  });
  writeFileSync(join(repo.dir, 'lambdas.yaml'), `${CONFIG}    build: { memory: 128m }\n`);
  const r = lci(['build', 'hooks'], { cwd: repo.dir });
  assertExplained(
    r,
    'hooks',
    /^lci: function hooks: dependency build in \S+ ran out of memory: the kernel killed it at build\.memory 128m \(exit status \d+\); raise build\.memory in lambdas\.yaml \(full log: \S+\.log\)$/,
  );
  assert.is(await leftoverContainers(repo.dir), 0);
});

container('killed from outside (docker kill): exit 137 without OOMKilled is not called a memory problem', async () => {
  const repo = await monorepo({ 'services/hooks/package.json': hooksPackage({ scripts: { preinstall: 'sleep 60' } }) });
  const run = lciAsync(['build', 'hooks'], { cwd: repo.dir }); // not spawnSync: the engine is polled meanwhile
  const started = Date.now();
  let id: string | undefined;
  while (!id) {
    if (Date.now() - started > 30_000) throw new Error('the build container never ran');
    const running = await docker.listContainers({ filters: { label: [projectLabel(repo.dir)], status: ['running'] } });
    id = running[0]?.Id;
    if (!id) await new Promise((r) => setTimeout(r, 200));
  }
  await docker.getContainer(id).kill();
  const r = await run;
  assert.is(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /lci: function hooks: dependency build failed in \S+: exit status 137 \(killed by SIGKILL, not for memory: docker kill, docker rm -f or the engine stopping\?\)/,
  );
  assert.not.match(r.stderr, /ran out of memory|unexpected error/);
  assert.is(await leftoverContainers(repo.dir), 0);
});

container.run();
