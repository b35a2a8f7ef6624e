import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packageCode } from '../src/artifacts/code-package.js';
import { loadProject } from '../src/config/load.js';
import { writeZip } from '../src/package/zip.js';
import { AwsWorld } from './harness/aws-world.js';
import { unzipText } from './harness/build-project.js';
import { lci, lciAsync } from './harness/cli.js';
import { containersCreated, requireDocker, TEST_IMAGE } from './harness/docker.js';
import { GitRepo } from './harness/git-repo.js';
import { tempDir } from './harness/tmp.js';

// build.inputs, as Nx `inputs`: a function built by a command names the committed files the
// command reads; a change to any other file under its path affects nothing: not plan, not the
// build's key (so not the code fingerprint deploy compares), not the generated triggers.

const COMMAND =
  'mkdir -p dist && find . -path ./dist -prune -o -type f -print | sort > dist/seen.txt && cat src/*.js > dist/index.js';

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
defaults:
  runtime: nodejs22.x
  handler: index.handler
  build: { image: "${TEST_IMAGE}", network: none }
environments:
  qa: { branch: main }
functions:
  web:
    path: services/web
    functionName: "web-\${env}"
    build:
      command: "${COMMAND}"
      output: dist
      inputs: ["src/**/*.js", tsconfig.json]
  worker:
    path: "services/worker [v2]"
    functionName: "worker-\${env}"
    descriptor: false
    build:
      command: "${COMMAND}"
      output: dist
      inputs: [src, build.cfg]
  legacy:
    path: services/legacy
    functionName: "legacy-\${env}"
    descriptor: false
    build: { command: "${COMMAND}", output: dist }
`;

function repo(): GitRepo {
  const service = (dir: string) => ({
    [`${dir}/src/index.js`]: 'exports.handler = async () => "hi";\n',
    [`${dir}/README.md`]: '# the service\n',
    [`${dir}/docs/guide.md`]: '# guide\n',
    [`${dir}/test/index.test.js`]: 'test()\n',
  });
  return GitRepo.create({
    'lambdas.yaml': CONFIG,
    ...service('services/web'),
    'services/web/tsconfig.json': '{}\n',
    // the descriptor and its lockfile always count, whatever inputs say
    'services/web/package.json': '{ "name": "web", "version": "1.0.0" }\n',
    ...service('services/worker [v2]'),
    'services/worker [v2]/build.cfg': 'x\n',
    ...service('services/legacy'),
  });
}

interface PlanJson {
  functions: { name: string; affected: boolean; reasons: { path: string; rule: string; pattern?: string }[] }[];
}

function plan(r: GitRepo, base: string): Record<string, { rule: string; pattern?: string } | null> {
  const out = lci(['plan', '--base', base, '--json'], { cwd: r.dir });
  assert.is(out.code, 0, out.stderr);
  const json = JSON.parse(out.stdout) as PlanJson;
  return Object.fromEntries(
    json.functions.map((f) => [
      f.name,
      f.affected ? { rule: f.reasons[0]!.rule, pattern: f.reasons[0]!.pattern } : null,
    ]),
  );
}

async function fingerprints(dir: string): Promise<Record<string, string>> {
  const loaded = await loadProject({ cwd: dir });
  const out: Record<string, string> = {};
  for (const [name, decl] of Object.entries(loaded.project.functions))
    out[name] = (await packageCode(decl.envs.qa!, loaded.workspace)).fingerprint;
  return out;
}

const s = suite('build.inputs: plan, fingerprint, triggers');

s('plan: a change outside the inputs affects nothing; one inside, the descriptor or its lockfile does', () => {
  const r = repo();
  const base = r.head();
  r.commit({
    'services/web/README.md': '# edited\n',
    'services/web/docs/guide.md': '# edited\n',
    'services/web/test/index.test.js': 'test(1)\n',
    'services/worker [v2]/README.md': '# edited\n',
    'services/legacy/README.md': '# edited\n',
  });
  assert.equal(plan(r, base), { web: null, worker: null, legacy: { rule: 'path', pattern: 'services/legacy/**' } });
  const cases: [Record<string, string>, ReturnType<typeof plan>][] = [
    [
      { 'services/web/src/deep/util.js': 'x\n' },
      { web: { rule: 'path', pattern: 'services/web/src/**/*.js' }, worker: null, legacy: null },
    ],
    [{ 'services/web/src/notes.txt': 'x\n' }, { web: null, worker: null, legacy: null }],
    [
      { 'services/web/tsconfig.json': '{ "strict": true }\n' },
      { web: { rule: 'path', pattern: 'services/web/tsconfig.json' }, worker: null, legacy: null },
    ],
    [
      { 'services/web/package.json': '{ "name": "web", "version": "1.0.1" }\n' },
      { web: { rule: 'descriptor', pattern: 'services/web/package.json' }, worker: null, legacy: null },
    ],
    [
      { 'services/web/package-lock.json': '{}\n' },
      { web: { rule: 'lockfile', pattern: 'services/web/package.json' }, worker: null, legacy: null },
    ],
    [
      { 'services/worker [v2]/src/more/x.js': 'x\n' },
      { web: null, worker: { rule: 'path', pattern: 'services/worker [v2]/src' }, legacy: null },
    ],
  ];
  for (const [change, expected] of cases) {
    const before = r.head();
    r.commit(change);
    assert.equal(plan(r, before), expected, Object.keys(change)[0]);
  }
});

s(
  'the code fingerprint (the build key) is unchanged by a change outside the inputs, changed by one inside',
  async () => {
    const r = repo();
    const before = await fingerprints(r.dir);
    r.commit({ 'services/web/README.md': '# edited\n', 'services/worker [v2]/docs/guide.md': 'x\n' });
    const outside = await fingerprints(r.dir);
    assert.is(outside.web, before.web);
    assert.is(outside.worker, before.worker);
    r.commit({ 'services/web/src/index.js': 'exports.handler = async () => "hello";\n' });
    assert.is.not((await fingerprints(r.dir)).web, before.web);
  },
);

s('generate: the trigger paths are the inputs (escaped), not the whole path', async () => {
  const r = repo();
  const out = lci(['generate'], { cwd: r.dir });
  assert.is(out.code, 0, out.stderr);
  const main = (await parseHcl('main.tf', readFileSync(join(r.dir, 'infra/lambda-ci/main.tf'), 'utf8'))) as {
    locals: { pipelines?: Record<string, { push_filters: { includes: string[] }[] }> }[];
  };
  const pipelines = main.locals.find((l) => l.pipelines)!.pipelines!;
  const includes = (name: string) => pipelines[name]!.push_filters.flatMap((f) => f.includes);
  // services/web/* is its descriptor's directory (package.json beside its lockfiles); it holds tsconfig.json too.
  // src/**/*.js as CodePipeline's java.nio reads it needs a directory under src/; src/*.js covers the rest (issue 18).
  assert.equal(includes('lci-web-qa'), [
    'lambdas.yaml',
    'services/web/*',
    'services/web/src/**/*.js',
    'services/web/src/*.js',
  ]);
  assert.equal(includes('lci-worker-qa'), [
    'lambdas.yaml',
    'services/worker \\[v2\\]/build.cfg',
    'services/worker \\[v2\\]/src/**',
  ]);
  assert.equal(includes('lci-legacy-qa'), ['lambdas.yaml', 'services/legacy/**']);
});

s('validate: inputs need a command, stay under the path and are bounded globs', () => {
  const bad = (fn: string) => {
    const r = GitRepo.create({
      'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts }
environments:
  qa: { branch: main }
functions:
  web:
    path: web
    runtime: nodejs22.x
    descriptor: false
${fn}`,
      'web/index.js': '',
    });
    const out = lci(['validate'], { cwd: r.dir });
    assert.is(out.code, 2, out.stdout);
    return out.stderr;
  };
  assert.match(
    bad('    build: { inputs: [src/**] }\n'),
    'lambdas.yaml:10:14: functions.web.build.inputs: build.inputs are the files build.command reads: set build.command too, or remove build.inputs',
  );
  const withCommand = (inputs: string) =>
    bad(`    build: { command: "mkdir -p dist", output: dist, inputs: ${inputs} }\n`);
  assert.match(
    withCommand('["../libs/**"]'),
    "functions.web.build.inputs[0]: '../libs/**' leaves the function's path; build.inputs globs are relative to it",
  );
  assert.match(
    withCommand('["src/*a*b*c*d*"]'),
    "functions.web.build.inputs[0]: '*a*b*c*d*' has 5 '*' wildcards in one path segment",
  );
  assert.match(withCommand('["/etc/**"]'), "functions.web.build.inputs[0]: must be relative to the function's path");
  assert.match(withCommand('[]'), 'functions.web.build.inputs');
});

s.run();

const docker = suite('build.inputs: the container sees only the inputs; deploy says INTACT without building');

docker.before(requireDocker);

docker('what the command reads, and a change outside the inputs: INTACT, no container, no Lambda write', async () => {
  await AwsWorld.with(async (world) => {
    const r = repo();
    const path = join(tempDir(), 'old.zip');
    const data = Buffer.from('old\n');
    await writeZip([{ name: 'old.txt', source: { data }, size: data.length, executable: false }], path);
    for (const name of ['web', 'worker', 'legacy'])
      world.lambda.seedFunction({
        name: `${name}-qa`,
        runtime: 'nodejs22.x',
        handler: 'index.handler',
        zip: readFileSync(path),
        aliases: ['qa'],
      });
    const deploy = async () => {
      const t0 = Date.now();
      const out = await lciAsync(['deploy', '--env', 'qa', '--json'], { cwd: r.dir, env: world.env() });
      assert.is(out.code, 0, out.stderr + out.stdout);
      const json = JSON.parse(out.stdout) as { functions: { name: string; status: string }[] };
      return {
        status: Object.fromEntries(json.functions.map((f) => [f.name, f.status])),
        containers: await containersCreated(r.dir, t0, Date.now()),
      };
    };
    const first = await deploy();
    assert.equal(first.status, { web: 'PUBLISHED', worker: 'PUBLISHED', legacy: 'PUBLISHED' });
    const seen = unzipText(join(r.dir, '.lci/dist/web/app.zip'), 'seen.txt');
    assert.equal(seen.trim().split('\n'), ['./package.json', './src/index.js', './tsconfig.json']);
    assert.equal(unzipText(join(r.dir, '.lci/dist/worker/app.zip'), 'seen.txt').trim().split('\n'), [
      './build.cfg',
      './src/index.js',
    ]);

    r.commit({ 'services/web/docs/guide.md': '# edited\n', 'services/worker [v2]/test/index.test.js': 'x\n' });
    execFileSync('git', ['clean', '-fdxq'], { cwd: r.dir }); // a fresh checkout: no zip, no build output to compare with
    const writes = world.mutations().length;
    const second = await deploy();
    assert.equal(second.status, { web: 'INTACT', worker: 'INTACT', legacy: 'INTACT' });
    assert.is(second.containers, 0, 'nothing built: the fingerprint came from the inputs alone');
    assert.is(world.mutations().length, writes, 'no Lambda write');
  });
});

docker.run();
