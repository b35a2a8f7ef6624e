import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import type { GitRepo } from './harness/git-repo.js';
import { JOBS, monorepo } from './harness/monorepo-fixture.js';
import { StsStandin } from './harness/sts-standin.js';
import {
  PLUGIN_MIRROR,
  plannedResources,
  requireTerraform,
  TerraformDir,
  type PlannedResource,
} from './harness/terraform.js';

// lci generate on the monorepo of issue 13 (test/harness/monorepo-fixture.ts), with a second
// shared layer made by a build command in a directory whose name is glob syntax: a shared layer's
// inputs start the pipelines of the functions that use it and no other; each member of a family
// gets its pipeline; the output passes the real terraform fmt -check, init (offline, from the
// provider mirror) and validate, and its plan shows what each pipeline may do with the shared
// layers. One init; plan talks to 127.0.0.1 only (STS, answered by test/harness/sts-standin.ts).

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
/** A layer directory CodePipeline's glob syntax would read as a pattern, unless escaped. */
const TOOLS_DIR = 'layers/node tools [v1]';

const FAMILY = JOBS.map((j) => `sync-${j}`);
const COMMON_PY_USERS = ['users', 'orders', ...FAMILY];
const FUNCTIONS = ['users', 'orders', 'health', ...FAMILY, 'web', 'native'];
/** The inputs of common-py: its requirements.txt beside its lockfiles, and the wheel it names. */
const COMMON_PY_INPUTS = ['layers/common-py/*', 'libs/dist/acme_common-1.0.0-py3-none-any.whl'];
/** The inputs of node-tools (a build command): everything under its directory, escaped. */
const NODE_TOOLS_INPUTS = ['layers/node tools \\[v1\\]/**'];

/** The fixture with a second shared layer, made by a build command that may run 40 minutes, used by web only. */
async function fixture(): Promise<GitRepo> {
  const repo = await monorepo();
  const file = join(repo.dir, 'lambdas.yaml');
  const yaml = readFileSync(file, 'utf8')
    .replace(
      'functions:\n',
      `  node-tools:
    path: "${TOOLS_DIR}"
    runtimes: [nodejs22.x]
    descriptor: false
    build: { command: "mkdir -p out/nodejs && cp -r lib out/nodejs/", output: out, timeout: 40m }
functions:
`,
    )
    .replace('    functionName: "web-${env}"\n', '    functionName: "web-${env}"\n    layers: [node-tools]\n');
  writeFileSync(file, yaml);
  repo.commit({ [`${TOOLS_DIR}/lib/tools.js`]: 'exports.x = 1;\n' }, 'a shared layer made by a build command');
  return repo;
}

interface Push {
  branches?: { includes: string[] }[];
  tags?: { includes: string[] }[];
  file_paths?: { includes: string[]; excludes?: string[] | null }[];
}

const s = suite('monorepo: lci generate');
let sts: StsStandin;
let plan: PlannedResource[];
let stderr: string;

s.before(async () => {
  try {
    requireTerraform();
    const repo = await fixture();
    const r = lci(['generate', '--with-functions'], { cwd: repo.dir });
    assert.is(r.code, 0, r.stderr);
    stderr = r.stderr;
    const tf = TerraformDir.copyOf(join(repo.dir, 'infra/lambda-ci'));
    const fmt = await tf.run(['fmt', '-check', '-recursive', '-diff']);
    assert.is(fmt.code, 0, `terraform fmt -check:\n${fmt.stdout}${fmt.stderr}`);
    await tf.ok(['init', '-backend=false', '-input=false', `-plugin-dir=${PLUGIN_MIRROR}`]);
    await tf.ok(['validate']);
    sts = await StsStandin.start(ACCOUNT);
    tf.writeTestProvider(sts.endpoint, REGION);
    plan = plannedResources(
      await tf.plan({
        codestar_connection_arn: `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
        repository_id: 'acme/monorepo',
        lambda_execution_role_arn: `arn:aws:iam::${ACCOUNT}:role/lambda-exec`,
      }),
    );
  } catch (e) {
    console.error('monorepo generate: the output could not be checked:', e); // uvu does not show errors of hooks
    throw e;
  }
});

s.after(async () => {
  await sts?.close();
});

const ofType = (type: string) => plan.filter((r) => r.type === type);
const pipeline = (name: string) => ofType('aws_codepipeline').find((r) => r.values.name === name)!;
const pushes = (name: string) =>
  (pipeline(name).values.trigger as { git_configuration: { push: Push[] }[] }[])[0]!.git_configuration[0]!.push;
/** Every trigger path of a pipeline, over its push filters. */
const triggerPaths = (name: string) => pushes(name).flatMap((p) => (p.file_paths ?? []).flatMap((f) => f.includes));
const policy = (pipelineName: string) => {
  const p = ofType('aws_iam_role_policy').find(
    (r) => r.address.includes(`"${pipelineName}"`) && r.values.name === 'lci-deploy',
  )!;
  return (JSON.parse(p.values.policy as string) as { Statement: { Sid: string; Resource: string | string[] }[] })
    .Statement;
};
const resources = (pipelineName: string, sid: string) =>
  [policy(pipelineName).find((st) => st.Sid === sid)?.Resource ?? []].flat();

s('terraform fmt -check, init and validate pass; generate has nothing to warn about', () => {
  assert.is(stderr, '');
  assert.ok(plan.length > 0);
});

s(
  'every function, each member of the family, gets a pipeline per environment, named and keyed by the expanded name',
  () => {
    const names = ofType('aws_codepipeline')
      .map((r) => r.values.name as string)
      .sort();
    assert.equal(names, FUNCTIONS.flatMap((f) => [`lci-${f}-prod`, `lci-${f}-qa`]).sort());
    const projects = ofType('aws_codebuild_project');
    for (const f of FUNCTIONS) {
      const project = projects.find((r) => r.values.name === `lci-${f}-qa`)!;
      const vars = (project.values.environment as { environment_variable: { name: string; value: string }[] }[])[0]!
        .environment_variable;
      assert.is(vars.find((v) => v.name === 'LCI_FUNCTION')!.value, f);
    }
    const functions = ofType('aws_lambda_function').map((r) => r.values.function_name as string);
    for (const j of JOBS) assert.ok(functions.includes(`sync-${j}-qa`) && functions.includes(`sync-${j}-prod`), j);
  },
);

s("each family member triggers on its own directory, not on its siblings'", () => {
  for (const j of JOBS) {
    const paths = triggerPaths(`lci-sync-${j}-qa`);
    assert.ok(paths.includes(`jobs/${j}/**`), paths.join(' '));
    for (const other of JOBS.filter((o) => o !== j))
      assert.not.ok(
        paths.some((p) => p.startsWith(`jobs/${other}/`)),
        `${j}: ${paths.join(' ')}`,
      );
  }
});

s("a shared layer's inputs are trigger paths of every function that uses it, and of no other", () => {
  for (const f of FUNCTIONS) {
    const paths = triggerPaths(`lci-${f}-qa`);
    for (const p of COMMON_PY_INPUTS)
      assert.is(paths.includes(p), COMMON_PY_USERS.includes(f), `${f} and ${p}: ${paths.join(' ')}`);
    for (const p of NODE_TOOLS_INPUTS) assert.is(paths.includes(p), f === 'web', `${f} and ${p}: ${paths.join(' ')}`);
  }
  assert.equal(triggerPaths('lci-users-qa'), ['lambdas.yaml', ...COMMON_PY_INPUTS, 'services/api/**']);
  assert.equal(triggerPaths('lci-web-qa'), [
    'lambdas.yaml',
    ...NODE_TOOLS_INPUTS,
    'services/web/**',
    'tools/strip-types/**',
  ]);
  // health shares users' directory but not its layer; what it excludes starts none of its runs
  const health = pushes('lci-health-qa')[0]!.file_paths![0]!;
  assert.equal(health.includes, ['lambdas.yaml', 'services/api/**']);
  assert.equal(health.excludes, [
    'services/api/users.py',
    'services/api/orders.py',
    ...['**/.DS_Store', '**/.env', '**/.env.*', '**/__pycache__/**', '**/*.pyc', '**/node_modules/**'].map(
      (g) => `services/api/${g}`,
    ),
  ]);
  // prod deploys tags: no paths
  for (const f of FUNCTIONS) assert.equal(triggerPaths(`lci-${f}-prod`), []);
});

s(
  'a pipeline may publish, attach and cache the shared layers its function uses, in its environment, and no other',
  () => {
    const layer = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:${name}`;
    const cache = (env: string, name: string) => `arn:aws:s3:::acme-artifacts/lambda-ci/_lci/layers/${env}/${name}/*`;
    for (const f of FUNCTIONS)
      for (const env of ['qa', 'prod']) {
        const name = `lci-${f}-${env}`;
        const publish = resources(name, 'PublishLayer');
        const use = resources(name, 'UseLayers');
        const write = resources(name, 'WriteSharedLayerCaches');
        assert.not.ok(
          resources(name, 'WriteFunctionArtifacts').some((a) => a.includes('/_lci/layers/')),
          name,
        );
        const uses = { 'common-py': COMMON_PY_USERS.includes(f), 'node-tools': f === 'web' };
        for (const [l, used] of Object.entries(uses)) {
          assert.is(publish.includes(layer(`${l}-${env}`)), used, `${name} publishes ${l}`);
          assert.is(use.includes(`${layer(`${l}-${env}`)}:*`), used, `${name} attaches ${l}`);
          assert.is(write.includes(cache(env, l)), used, `${name} writes the cache of ${l}`);
        }
        const other = env === 'qa' ? 'prod' : 'qa';
        assert.not.ok(
          [...publish, ...use, ...write].some((a) => a.includes(`-${other}`) || a.includes(`/${other}/`)),
          `${name}: ${publish} ${write}`,
        );
      }
  },
);

s(
  "the CodeBuild project outlasts its function's longest build.timeout: lci, not CodeBuild, stops a build that hangs",
  () => {
    const timeout = (name: string) =>
      ofType('aws_codebuild_project').find((r) => r.values.name === name)!.values.build_timeout;
    assert.is(timeout('lci-web-qa'), 55); // node-tools may build for 40 minutes
    assert.is(timeout('lci-users-qa'), 30);
  },
);

s.run();
