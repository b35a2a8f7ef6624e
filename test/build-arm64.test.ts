import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { buildJson, monorepo, zipNames } from './harness/build-project.js';
import {
  arm64ProgramsAmd64Config,
  containersCreated,
  fileFromImage,
  requireArm64Image,
  TEST_IMAGE,
  TEST_IMAGE_ARM64,
} from './harness/docker.js';
import type { GitRepo } from './harness/git-repo.js';
import { wheelName, writeWheel } from './harness/wheel.js';

// Layers for arm64 built for real, in an arm64 image run under qemu emulation (slow: few, small
// builds), and the architecture check: native code or wheels for the other architecture fail
// the build, naming the file. Native shared objects are real ones, taken from the build images.

const SHARED_OBJECT = {
  x86_64: '/usr/lib/x86_64-linux-gnu/libutil.so.1',
  arm64: '/usr/lib/aarch64-linux-gnu/libutil.so.1',
};

function config(architecture: 'x86_64' | 'arm64'): string {
  return `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  architecture: ${architecture}
  build: { image: "${architecture === 'arm64' ? TEST_IMAGE_ARM64 : TEST_IMAGE}" }
environments:
  qa: { branch: main }
functions:
  fast:
    path: services/fast
    runtime: python3.11
  hooks:
    path: services/hooks
    runtime: nodejs20.x
`;
}

/** A repository whose python function depends on a local wheel with a native module (`so`), tagged `tag`. */
async function nativeRepo(
  architecture: 'x86_64' | 'arm64',
  tag: string,
  so: Buffer,
): Promise<{ repo: GitRepo; wheel: string }> {
  const wheel = `libs/dist/${wheelName('acme_native', '1.0.0', tag)}`;
  const repo = await monorepo({
    'lambdas.yaml': config(architecture),
    'services/fast/app.py': 'import acme_native\n',
    'services/fast/requirements.txt': `../../${wheel}\n`,
  });
  await writeWheel(
    join(repo.dir, wheel),
    'acme_native',
    '1.0.0',
    { 'acme_native/__init__.py': 'from . import _speed\n', 'acme_native/_speed.so': so },
    { tag },
  );
  repo.commit({}, 'the wheel');
  return { repo, wheel };
}

function buildLog(repo: GitRepo, fn: string): string {
  const logs = readdirSync(join(repo.dir, '.lci/logs')).filter((n) => n.startsWith(`${fn}-`));
  assert.is(logs.length, 1, logs.join(' '));
  return readFileSync(join(repo.dir, '.lci/logs', logs[0]!), 'utf8');
}

const arm64 = suite('build: arm64 layers in the arm64 image (emulated)');

arm64.before(requireArm64Image);

arm64(
  'python with an aarch64 wheel and nodejs with a file: dependency build; the containers ran aarch64 programs',
  async () => {
    const so = await fileFromImage(TEST_IMAGE_ARM64, SHARED_OBJECT.arm64);
    assert.is(so.readUInt16LE(18), 183, 'a real aarch64 shared object');
    const { repo } = await nativeRepo('arm64', 'cp311-cp311-manylinux_2_17_aarch64', so);
    const r = buildJson(repo);
    assert.is(r.code, 0, r.stderr);
    assert.match(buildLog(repo, 'fast'), /^lci: build container machine: aarch64$/m);
    assert.match(buildLog(repo, 'hooks'), /^lci: build container machine: aarch64$/m);
    const py = zipNames(join(repo.dir, '.lci/dist/fast/deps.zip'));
    assert.ok(py.includes('python/acme_native/_speed.so'), py.join(' '));
    assert.ok(py.includes('python/acme_native-1.0.0.dist-info/WHEEL'));
    assert.ok(zipNames(join(repo.dir, '.lci/dist/hooks/deps.zip')).includes('nodejs/node_modules/jc/index.js'));
    const manifest = JSON.parse(readFileSync(join(repo.dir, '.lci/dist/fast/manifest.json'), 'utf8')) as {
      architecture: string;
    };
    assert.is(manifest.architecture, 'arm64');
  },
);

arm64.run();

const check = suite('build: the architecture check');

check.before(requireArm64Image); // the test files come from the arm64 image

check(
  'an arm64 function whose requirements name an x86_64-only wheel fails, naming the wheel and the architecture, before any container',
  async () => {
    const { repo, wheel } = await nativeRepo(
      'arm64',
      'cp311-cp311-linux_x86_64',
      await fileFromImage(TEST_IMAGE, SHARED_OBJECT.x86_64),
    );
    const t0 = Date.now();
    const r = buildJson(repo, ['fast']);
    assert.is(r.code, 1);
    assert.is(
      r.json.functions[0]!.error,
      `the dependencies hold code for another architecture than the function's arm64: ${wheel} (wheel tagged linux_x86_64); use aarch64 (manylinux_*_aarch64) or pure-python (any) wheels and packages built in an arm64 image, or change architecture`,
    );
    assert.is(await containersCreated(repo.dir, t0, Date.now()), 0);
  },
);

check(
  'x86_64: a wheel that claims any platform but carries aarch64 code fails after the build, naming the file; nothing is cached',
  async () => {
    const { repo } = await nativeRepo(
      'x86_64',
      'py3-none-any',
      await fileFromImage(TEST_IMAGE_ARM64, SHARED_OBJECT.arm64),
    );
    const r = buildJson(repo, ['fast']);
    assert.is(r.code, 1, r.stderr);
    assert.match(
      r.json.functions[0]!.error!,
      /^the dependencies hold code for another architecture than the function's x86_64: python\/acme_native\/_speed\.so \(ELF for arm64 \(aarch64\)\); use x86_64/,
    );
    assert.match(buildLog(repo, 'fast'), /^lci: build container machine: x86_64$/m);
    assert.equal(readdirSync(join(repo.dir, '.lci/cache/deps')), [], 'no layer cached');
    assert.not.ok(existsSync(join(repo.dir, '.lci/dist/fast/deps.zip')));
  },
);

check(
  'an image whose config says amd64 but whose programs are aarch64: the build stops at the machine check, saying so',
  async () => {
    const image = await arm64ProgramsAmd64Config();
    const { repo } = await nativeRepo('x86_64', 'py3-none-any', Buffer.from('no native code'));
    writeFileSync(join(repo.dir, 'lambdas.yaml'), config('x86_64').replace(TEST_IMAGE, image));
    const r = buildJson(repo, ['fast']);
    assert.is(r.code, 1, r.stderr);
    assert.match(
      r.json.functions[0]!.error!,
      new RegExp(`^dependency build failed in ${image}: exit status 1 \\(general error\\)`),
    );
    assert.match(
      r.json.functions[0]!.error!,
      /\| lci: this container runs aarch64 programs, not x86_64: the image is not built for x86_64$/m,
    );
  },
);

check('an arm64 function given the x86_64 image is told so, not built under the wrong architecture', async () => {
  const { repo } = await nativeRepo('arm64', 'py3-none-any', Buffer.from('no native code'));
  writeFileSync(join(repo.dir, 'lambdas.yaml'), config('arm64').replace(TEST_IMAGE_ARM64, TEST_IMAGE));
  const t0 = Date.now();
  const r = buildJson(repo, ['hooks']);
  assert.is(r.code, 1);
  assert.is(
    r.json.functions[0]!.error,
    `image ${TEST_IMAGE} is built for linux/amd64, but the function needs linux/arm64; use an image for linux/arm64 (build.image) or change architecture`,
  );
  assert.is(await containersCreated(repo.dir, t0, Date.now()), 0);
});

check.run();
