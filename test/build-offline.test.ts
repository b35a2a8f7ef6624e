import { existsSync, readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IndexReach, unreachableIndex } from '../src/builder/index-reach.js';
import { lciAsync } from './harness/cli.js';
import { leftoverContainers, requireDocker, TEST_IMAGE } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';

// A dependency install that needs a package index the build cannot reach fails within seconds,
// saying so in one line with the fix, instead of after pip's and npm's own retries (over a
// minute for npm without a network; up to build.timeout where a route drops packets).

const lines = suite('what pip and npm print when no index answers');

lines('pip: a retried connection error, with the reason and the URL it asked for', () => {
  assert.equal(
    unreachableIndex(
      "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f0d5d09ed10>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/requests/",
    ),
    { tool: 'pip', what: '/simple/requests/: Temporary failure in name resolution' },
  );
  assert.equal(
    unreachableIndex(
      "WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f229a512750>, 'Connection to 10.255.255.1 timed out. (connect timeout=15)')': /simple/requests/",
    ),
    { tool: 'pip', what: '/simple/requests/: Connection to 10.255.255.1 timed out. (connect timeout=15)' },
  );
  assert.is(
    unreachableIndex('ERROR: Could not find a version that satisfies the requirement requests (from versions: none)'),
    null,
    'an index that answers without the package says the same: not a network failure',
  );
  assert.is(
    unreachableIndex(
      'WARNING: Retrying (Retry(total=4)) after connection broken by \'ReadTimeoutError("read timed out")\': /x/',
    ),
    null,
  );
});

lines('npm 6 to 10: request failed for a connection reason, or timed out', () => {
  assert.equal(
    unreachableIndex(
      'npm ERR! request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org',
    ),
    { tool: 'npm', what: 'https://registry.npmjs.org/left-pad: getaddrinfo EAI_AGAIN registry.npmjs.org' },
  );
  assert.equal(
    unreachableIndex(
      'npm error network request to https://npm.acme.internal/x failed, reason: connect ETIMEDOUT 10.1.2.3:443',
    ),
    { tool: 'npm', what: 'https://npm.acme.internal/x: connect ETIMEDOUT 10.1.2.3:443' },
  );
  assert.equal(unreachableIndex('npm ERR! network timeout at: https://registry.npmjs.org/left-pad'), {
    tool: 'npm',
    what: 'https://registry.npmjs.org/left-pad: timed out',
  });
  assert.is(unreachableIndex('npm ERR! request to https://r/x failed, reason: certificate has expired'), null);
  assert.is(unreachableIndex('npm ERR! 404 Not Found - GET https://registry.npmjs.org/nope'), null);
});

lines('the watcher finds the line across chunks and keeps the first', () => {
  const reach = new IndexReach();
  reach.push(Buffer.from('Collecting x\nnpm ERR! request to https://r.example/a failed, '));
  assert.is(reach.found(), null);
  reach.push(
    Buffer.from(
      'reason: getaddrinfo ENOTFOUND r.example\nnpm ERR! request to https://r.example/b failed, reason: getaddrinfo ENOTFOUND r.example\n',
    ),
  );
  assert.equal(reach.found(), { tool: 'npm', what: 'https://r.example/a: getaddrinfo ENOTFOUND r.example' });
  const long = new IndexReach();
  long.push(Buffer.alloc(200 * 1024, 'x'));
  long.push(Buffer.from('\n'));
  assert.is(long.found(), null, 'a line past the bound is dropped, not buffered');
});

lines.run();

const docker = suite('an index the build cannot reach, in a real Docker engine');

docker.before(requireDocker);

function project(fn: string, files: Record<string, string>): GitRepo {
  return GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  build: { image: "${TEST_IMAGE}", network: none }
environments:
  qa: { branch: main }
functions:
  api:
${fn}`,
    ...files,
  });
}

async function timedBuild(repo: GitRepo): Promise<{ code: number; stderr: string; seconds: number }> {
  const t0 = Date.now();
  const r = await lciAsync(['build'], { cwd: repo.dir, env: { CI: 'true' } });
  return { code: r.code, stderr: r.stderr, seconds: (Date.now() - t0) / 1000 };
}

const ONE_LINE = (tool: string, url: string, reason: string, fix: string) =>
  new RegExp(
    `^lci: function api: dependency build could not reach the package index \\(${tool}: ${url}: ${reason}\\): build\\.network is none, so the build container has no network at all; set build\\.network: default, ${fix} \\(full log: \\S+\\.log\\)$`,
    'm',
  );

docker('pip with build.network: none and a requirement from the index: one line, in seconds', async () => {
  const repo = project('    path: api\n    handler: app.handler\n', {
    'api/app.py': '',
    'api/requirements.txt': 'requests==2.32.3\n',
  });
  const r = await timedBuild(repo);
  console.log(`    pip, build.network none: failed in ${r.seconds.toFixed(1)} s`);
  assert.is(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    ONE_LINE(
      'pip',
      '/simple/requests/',
      'Temporary failure in name resolution',
      'set PIP_INDEX_URL in build\\.env to an index the build can reach, or install without one: commit the wheels and name them in the requirements file \\(a path line, or -f DIR with --no-index\\)',
    ),
  );
  assert.not.match(r.stderr, /last 30 lines/, 'one line, not the log tail');
  assert.ok(r.seconds < 30, `${r.seconds} s`);
  assert.ok(existsSync(/full log: (\S+\.log)/.exec(r.stderr)![1]!));
  assert.is(await leftoverContainers(repo.dir), 0);
});

docker(
  'npm with build.network: none and a dependency from the registry: one line, in seconds (npm alone: over a minute)',
  async () => {
    const repo = project('    path: web\n    runtime: nodejs20.x\n    handler: index.handler\n', {
      'web/index.js': '',
      'web/package.json': JSON.stringify({ name: 'web', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } }),
    });
    const r = await timedBuild(repo);
    console.log(`    npm, build.network none: failed in ${r.seconds.toFixed(1)} s`);
    assert.is(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      ONE_LINE(
        'npm',
        'https://registry\\.npmjs\\.org/left-pad',
        'getaddrinfo EAI_AGAIN registry\\.npmjs\\.org',
        'set npm_config_registry in build\\.env to a registry the build can reach, or install without one: file: dependencies or committed npm pack tarballs',
      ),
    );
    assert.ok(r.seconds < 30, `${r.seconds} s`);
  },
);

docker(
  'build.network default, an index that does not answer there: one line that names the route, in seconds',
  async () => {
    // Nothing listens on port 9 inside the container: the engine's network is there, the index is
    // not (the test talks to no address but the container's own loopback).
    const repo = project(
      '    path: api\n    handler: app.handler\n    build: { network: default, env: { PIP_INDEX_URL: "http://127.0.0.1:9/simple" } }\n',
      { 'api/app.py': '', 'api/requirements.txt': 'requests==2.32.3\n' },
    );
    const r = await timedBuild(repo);
    console.log(`    pip, an index that does not answer: failed in ${r.seconds.toFixed(1)} s`);
    assert.is(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /^lci: function api: dependency build could not reach the package index \(pip: [^)]*\): the build container has no route to it \(the Docker engine's network, DNS or a proxy\); /m,
    );
    assert.not.match(r.stderr, /last 30 lines/, 'one line, not the log tail');
    assert.ok(r.seconds < 30, `${r.seconds} s`);
  },
);

docker("build.env still wins over lci's retry settings (a slow private index may need more)", async () => {
  const repo = project('    path: api\n    handler: app.handler\n    build: { env: { PIP_RETRIES: "3" } }\n', {
    'api/app.py': '',
    'api/requirements.txt': 'requests==2.32.3\n',
  });
  const r = await timedBuild(repo);
  assert.is(r.code, 1, r.stderr);
  const log = /full log: (\S+\.log)/.exec(r.stderr)![1]!;
  assert.match(readFileSync(log, 'utf8'), /Retry\(total=2,/, 'pip retried three times, as build.env says');
});

docker.run();
