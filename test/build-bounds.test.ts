import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci, lciAsync } from './harness/cli.js';
import { leftoverContainers, requireDocker, TEST_IMAGE } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';

// What a build may write is bounded, and so are the limits lambdas.yaml may set: a build command
// that writes more than a function and its layers could ever hold is stopped with one line; a
// zip entry that could land outside /var/task is refused as it is for a cached layer.

function project(build: string, extra = ''): GitRepo {
  return GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  build: { image: "${TEST_IMAGE}" }
environments:
  qa: { branch: main }
functions:
  gen:
    path: svc
    build: ${build}
${extra}`,
    'svc/app.py': 'def handler(e, c):\n    return 1\n',
  });
}

/** The stderr line that starts with `lci: function NAME:`, and that there is exactly one. */
function failureLine(stderr: string, name: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith(`lci: function ${name}:`));
  assert.is(lines.length, 1, stderr);
  return lines[0]!;
}

const limits = test;

limits('build.memory above 128g and build.timeout above 36h are refused at their lines', () => {
  const repo = project('{ command: "true", output: out, memory: 100000g, timeout: 99999999h }');
  const r = lci(['validate'], { cwd: repo.dir });
  assert.is(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^lambdas\.yaml:10:52: functions\.gen\.build\.memory: '100000g' is invalid \(.*from 6m to 128g/m,
  );
  assert.match(
    r.stderr,
    /^lambdas\.yaml:10:70: functions\.gen\.build\.timeout: '99999999h' is longer than 36h \(CodeBuild's longest build\)$/m,
  );
  const ok = project('{ command: "true", output: out, memory: 128g, timeout: 36h }');
  assert.is(lci(['validate'], { cwd: ok.dir }).code, 0);
  const seconds = project('{ command: "true", output: out, memory: 131073m, timeout: 129601s }');
  const over = lci(['validate'], { cwd: seconds.dir }).stderr;
  assert.match(over, /build\.memory: '131073m' is invalid/);
  assert.match(over, /build\.timeout: '129601s' is longer than 36h/);
});

limits.run();

const docker = suite('build output bounds in a real Docker engine');
docker.before(requireDocker);

docker(
  'a build command writing 800 MB across many files (build.memory 64m) is stopped near 512 MiB: one line, exit 1',
  async () => {
    const repo = project(
      '{ command: "mkdir -p out && for i in $(seq 1 40); do head -c 20000000 /dev/zero > /out/f$i; done", output: out, memory: 64m }',
    );
    const t0 = Date.now();
    const r = await lciAsync(['build', 'gen'], { cwd: repo.dir });
    assert.is(r.code, 1, r.stderr);
    const line = failureLine(r.stderr, 'gen');
    const m =
      /^lci: function gen: build\.command wrote more than 536870912 bytes to its output \((\d+) when lci stopped it and removed its container\); a function and its layers unzip to at most 262144000 bytes in Lambda/.exec(
        line,
      );
    assert.ok(m, line);
    assert.ok(Number(m![1]) < 800_000_000, `stopped at ${m![1]} bytes`);
    assert.ok(Date.now() - t0 < 60_000);
    assert.is(await leftoverContainers(repo.dir), 0);
    assert.equal(readdirSync(join(repo.dir, '.lci/tmp')), [], 'what it wrote is removed');
  },
);

docker('one file larger than 512 MiB (a sparse one too) ends the build at the limit', async () => {
  for (const write of ['head -c 600000000 /dev/zero > /out/big', 'truncate -s 100G out/sparse']) {
    const repo = project(`{ command: "mkdir -p out && ${write}", output: out, memory: 64m }`);
    const r = await lciAsync(['build', 'gen'], { cwd: repo.dir });
    assert.is(r.code, 1, r.stderr);
    assert.match(
      failureLine(r.stderr, 'gen'),
      /^lci: function gen: build\.command in .* wrote a file of more than 536870912 bytes and was stopped \(exit status 153 \(file size limit exceeded \(SIGXFSZ\)\)\)/,
      write,
    );
    assert.is(await leftoverContainers(repo.dir), 0);
  }
});

docker('a build output named ..\\..\\evil.py or holding a newline never reaches the code zip', async () => {
  for (const [name, problem] of [
    ['..\\\\..\\\\evil.py', "'\\.\\.\\\\\\.\\.\\\\evil\\.py', which has a backslash"],
    ["$(printf 'a\\nb').py", "'a\\\\nb\\.py', which has a control character"],
  ]) {
    const repo = project(
      `{ command: ${JSON.stringify(`mkdir -p out && echo x > out/app.py && echo x > "out/${name}"`)}, output: out }`,
    );
    const r = await lciAsync(['build', 'gen'], { cwd: repo.dir });
    assert.is(r.code, 1, r.stderr);
    assert.match(
      failureLine(r.stderr, 'gen'),
      new RegExp(`^lci: function gen: a file would be stored in the zip as ${problem}`),
      name,
    );
    assert.not.ok(existsSync(join(repo.dir, '.lci/dist/gen/app.zip')), 'no zip written');
  }
});

docker.run();
