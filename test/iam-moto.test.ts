import { join } from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lciAsync } from './harness/cli.js';
import { TEST_IMAGE, requireDocker } from './harness/docker.js';
import { byType, checkedAndPlanned, generated, REGION } from './harness/generated-terraform.js';
import { GitRepo } from './harness/git-repo.js';
import { Moto, MOTO_ACCESS_KEY } from './harness/moto.js';
import { StsStandin } from './harness/sts-standin.js';
import { plannedResources, requireTerraform, type PlannedResource } from './harness/terraform.js';
import { tempDir } from './harness/tmp.js';
import { writeWheel } from './harness/wheel.js';

// The generated roles grant what lci's commands in the pipeline call: each role's policy document,
// exactly as `terraform show -json` of the generated Terraform has it, is an IAM user's only
// permission in moto (a third-party AWS emulator: IAM enforced, with Lambda's and CloudWatch's
// resource-level checks added by test/harness/moto_iam_server.py), and lci runs as that user
// what the pipeline would: a function with its own layer and a shared layer, a canary watched by
// an alarm (the shift mark's tags), a second prod release that prunes, a confirm: true pipeline's
// plan (the plan role) and apply (the apply role) that prunes, an environment pipeline's plan and
// its apply (the shared layers, then the shards). Not one request is refused; a function the role
// does not own is, a Lambda write of the plan role is, an artifact write of the apply role is.
// moto does not run functions (Invoke needs its Docker images), so no smoke events here.

const ACCOUNT = '123456789012'; // moto's default account: STS answers it to terraform plan too

const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts, region: ${REGION} }
defaults:
  build: { image: "${TEST_IMAGE}" }
  runtime: python3.12
  handler: app.handler
layers:
  common: { path: layers/common, runtimes: [python3.12] }
environments:
  qa: { branch: main, alarms: [qa-errors], strategy: "canary:50:0.01" }
  prod: { tag: "v*", alias: live, prune: { keep: 1 } }
  stage: { tag: "s*", alias: staged, confirm: true, prune: { keep: 1 } }
functions:
  gamma:
    path: svc/gamma
    functionName: "gamma-\${env}"
    layers: [common]
  alpha:
    path: svc/alpha
    descriptor: false
    functionName: "alpha-\${env}"
  beta:
    path: svc/beta
    layerName: "beta-\${env}-deps"
`;

async function fixture(): Promise<GitRepo> {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG,
    'svc/gamma/app.py': 'import acme\n\ndef handler(event, context):\n    return acme.VERSION\n',
    'svc/gamma/requirements.txt': '../../libs/acme-1.0.0-py3-none-any.whl\n',
    'svc/alpha/app.py': 'def handler(event, context):\n    return "alpha"\n',
    'svc/beta/app.py': 'import betalib\n\ndef handler(event, context):\n    return betalib.V\n',
    'svc/beta/requirements.txt': '../../libs/betalib-1.0.0-py3-none-any.whl\n',
    'layers/common/requirements.txt': '../../libs/common_util-1.0.0-py3-none-any.whl\n',
    '.gitignore': '.lci/\ninfra/\n',
  });
  await writeWheel(join(repo.dir, 'libs/acme-1.0.0-py3-none-any.whl'), 'acme', '1.0.0', {
    'acme/__init__.py': 'VERSION = 1\n',
  });
  await writeWheel(join(repo.dir, 'libs/common_util-1.0.0-py3-none-any.whl'), 'common_util', '1.0.0', {
    'common_util/__init__.py': 'X = 1\n',
  });
  await writeWheel(join(repo.dir, 'libs/betalib-1.0.0-py3-none-any.whl'), 'betalib', '1.0.0', {
    'betalib/__init__.py': 'V = 1\n',
  });
  repo.commit({}, 'the wheels');
  return repo;
}

/** The inline policy a generated role gets, as terraform plan shows it (the build role's lci-deploy, the plan role's lci-plan). */
function policyOf(resources: PlannedResource[], pipeline: string, policy = 'lci-deploy'): string {
  const doc = byType(resources, 'aws_iam_role_policy').find(
    (r) => r.address.includes(`["${pipeline}"]`) && r.values.name === policy,
  );
  assert.ok(doc?.values.policy, `${pipeline}: its policy is known at plan`);
  return doc!.values.policy as string;
}

/** What Terraform would have made before the first deploy: the functions and their aliases (beta: one function, both), the alarm. */
async function seed(moto: Moto): Promise<void> {
  await moto.seed(REGION, [
    { name: 'gamma-qa', aliases: ['qa'] },
    { name: 'gamma-prod', aliases: ['live'] },
    { name: 'gamma-stage', aliases: ['staged'] },
    { name: 'alpha-qa', aliases: ['qa'] },
    { name: 'alpha-prod', aliases: ['live'] },
    { name: 'alpha-stage', aliases: ['staged'] },
    { name: 'beta', aliases: ['qa', 'live', 'staged'] },
  ]);
  const credentials = { accessKeyId: MOTO_ACCESS_KEY, secretAccessKey: 'setup' };
  await new CloudWatchClient({ region: REGION, endpoint: moto.endpoint, credentials }).send(
    new PutMetricAlarmCommand({
      AlarmName: 'qa-errors',
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: {
    functions: { name: string; status: string; error?: string; warnings?: string[]; pruned?: unknown }[];
    layers: { name: string; status: string }[];
  };
}

const iam = suite('IAM: the generated roles, enforced by moto, let lci do what the pipeline does, and no more');
let moto: Moto;
let sts: StsStandin;
let repo: GitRepo;
let users: Record<string, { accessKeyId: string; secretAccessKey: string }>;

iam.before(async () => {
  try {
    requireTerraform();
    await requireDocker();
    repo = await fixture();
    sts = await StsStandin.start(ACCOUNT);
    const tf = await generated(repo, '', []);
    const planned = plannedResources(await checkedAndPlanned(tf, sts.endpoint));
    moto = await Moto.start({ iam: true });
    await seed(moto);
    users = {
      'gamma-qa': await moto.userWith('gamma-qa', { 'lci-deploy': policyOf(planned, 'lci-gamma-qa') }),
      'gamma-prod': await moto.userWith('gamma-prod', { 'lci-deploy': policyOf(planned, 'lci-gamma-prod') }),
      'gamma-stage-plan': await moto.userWith('gamma-stage-plan', {
        'lci-plan': policyOf(planned, 'lci-gamma-stage', 'lci-plan'),
      }),
      'gamma-stage': await moto.userWith('gamma-stage', { 'lci-deploy': policyOf(planned, 'lci-gamma-stage') }),
      'env-qa-plan': await moto.userWith('env-qa-plan', { 'lci-plan': policyOf(planned, 'lci-qa', 'lci-plan') }),
      'env-qa': await moto.userWith('env-qa', { 'lci-deploy': policyOf(planned, 'lci-qa') }),
      'beta-qa': await moto.userWith('beta-qa', { 'lci-deploy': policyOf(planned, 'lci-beta-qa') }),
      'beta-prod': await moto.userWith('beta-prod', { 'lci-deploy': policyOf(planned, 'lci-beta-prod') }),
    };
    await moto.enforceIam();
  } catch (e) {
    console.error('iam-moto: setting up failed:', e); // uvu does not show errors of hooks
    throw e;
  }
});

iam.after(async () => {
  moto?.stop();
  await sts?.close();
});

/** lci as the pipeline runs it, with one generated role's permissions only; `refused`: the requests moto answered 403. */
async function lciAs(user: string, args: string[]): Promise<Run & { refused: string[] }> {
  const from = moto.log().length;
  const r = await lciAsync([...args, '--json'], {
    cwd: repo.dir,
    env: {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: users[user]!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: users[user]!.secretAccessKey,
      AWS_REGION: REGION,
      AWS_MAX_ATTEMPTS: '1',
    },
  });
  let json = { functions: [], layers: [] } as Run['json'];
  try {
    json = JSON.parse(r.stdout);
  } catch {
    // the assertions show what was printed instead
  }
  const refused = moto
    .log()
    .slice(from)
    .split('\n')
    .filter((l) => /" 403 /.test(l));
  return { ...r, json, refused };
}

/** An S3 client with one generated role's permissions only. */
function s3As(user: string): S3Client {
  return new S3Client({
    region: REGION,
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: users[user]!,
    maxAttempts: 1,
  });
}

function allowed(r: Run & { refused: string[] }, what: string): void {
  const text = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.refused, [], `${what}: moto refused requests`);
  assert.not.match(text, /access ?denied|not authorized|AccessDenied/i, `${what}: refused\n${text}`);
  assert.is(r.code, 0, `${what}\n${text}`);
  for (const f of r.json.functions) {
    assert.is.not(f.status, 'FAILED', `${what}: ${f.name}: ${f.error}`);
    assert.equal(f.warnings ?? [], [], `${what}: ${f.name}`);
  }
}

iam(
  "a function's QA pipeline: its own layer, the shared layer, a canary with the shift mark and the alarm",
  async () => {
    const r = await lciAs('gamma-qa', ['deploy', 'gamma', '--env', 'qa', '--strategy', 'canary:50:0.01', '--yes']);
    allowed(r, 'deploy gamma to qa');
    assert.equal(
      r.json.functions.map((f) => [f.name, f.status]),
      [['gamma', 'PUBLISHED']],
    );
    // enforcement is real: the same role may not release a function that is not its own
    const other = await lciAs('gamma-qa', ['deploy', 'alpha', '--env', 'qa', '--yes']);
    assert.is(other.code, 1);
    assert.ok(other.refused.length > 0, 'moto refused the request for alpha-qa');
  },
);

iam("a function's prod pipeline: a release, then one that prunes what it no longer needs", async () => {
  repo.git('tag', 'v1');
  allowed(await lciAs('gamma-prod', ['deploy', 'gamma', '--env', 'prod', '--source-version', 'v1', '--yes']), 'v1');
  // v2 has new dependencies: the prune after it finds v1's layer version and layer cache unused
  await writeWheel(join(repo.dir, 'libs/acme-1.0.1-py3-none-any.whl'), 'acme', '1.0.1', {
    'acme/__init__.py': 'VERSION = 2\n',
  });
  repo.commit({ 'svc/gamma/requirements.txt': '../../libs/acme-1.0.1-py3-none-any.whl\n' }, 'v2');
  repo.git('tag', 'v2');
  const r = await lciAs('gamma-prod', ['deploy', 'gamma', '--env', 'prod', '--source-version', 'v2', '--yes']);
  allowed(r, 'v2, then prune');
  const pruned = r.json.functions[0]!.pruned as { versions: string[]; layerVersions: string[]; s3: string[] };
  assert.equal(pruned.layerVersions, ['gamma-prod-deps:1'], JSON.stringify(pruned));
  assert.ok(
    pruned.s3.some((k) => /\/_lci\/deps\/prod\/gamma-prod\/[0-9a-f]{32}\.zip$/.test(k)),
    JSON.stringify(pruned),
  );
});

iam(
  'one AWS function both environments release (its layer one per environment): prod prunes only what is its own',
  async () => {
    allowed(await lciAs('beta-qa', ['deploy', 'beta', '--env', 'qa', '--yes']), 'beta 1 to qa');
    allowed(await lciAs('beta-prod', ['deploy', 'beta', '--env', 'prod', '--source-version', 'v10', '--yes']), 'v10');
    // new dependencies: qa moves on, then prod, whose prune finds the first layer version unused
    await writeWheel(join(repo.dir, 'libs/betalib-1.0.1-py3-none-any.whl'), 'betalib', '1.0.1', {
      'betalib/__init__.py': 'V = 2\n',
    });
    repo.commit({ 'svc/beta/requirements.txt': '../../libs/betalib-1.0.1-py3-none-any.whl\n' }, 'betalib 1.0.1');
    allowed(await lciAs('beta-qa', ['deploy', 'beta', '--env', 'qa', '--yes']), 'beta 2 to qa');
    const r = await lciAs('beta-prod', ['deploy', 'beta', '--env', 'prod', '--source-version', 'v11', '--yes']);
    allowed(r, 'v11, then prune');
    const pruned = r.json.functions[0]!.pruned as { versions: string[]; layerVersions: string[]; s3: string[] };
    assert.ok(pruned.versions.length > 0, JSON.stringify(pruned));
    assert.not.ok(
      pruned.s3.some((k) => k.includes('/_lci/deps/qa/')),
      "qa's layer caches are qa's pipeline's to prune",
    );
  },
);

/** A plan file of the test's own. */
const planFile = (name: string) => join(tempDir(), name);

iam(
  'confirm: true: the plan role plans (artifacts uploaded, Lambda only read), the apply role applies and prunes; neither can do the other',
  async () => {
    repo.git('tag', 's1');
    const v1 = planFile('s1.json');
    const planned = await lciAs('gamma-stage-plan', [
      'deploy',
      'gamma',
      '--env',
      'stage',
      '--source-version',
      's1',
      '--plan-out',
      v1,
    ]);
    allowed(planned, 'plan s1 with the plan role');
    assert.equal(
      planned.json.functions.map((f) => [f.name, f.status]),
      [['gamma', 'PLANNED']],
    );
    allowed(await lciAs('gamma-stage', ['apply', v1, '--yes']), 'apply s1 with the apply role');
    // s2 has new dependencies: the prune after its release finds s1's layer version and layer cache unused
    await writeWheel(join(repo.dir, 'libs/acme-1.0.2-py3-none-any.whl'), 'acme', '1.0.2', {
      'acme/__init__.py': 'VERSION = 3\n',
    });
    repo.commit({ 'svc/gamma/requirements.txt': '../../libs/acme-1.0.2-py3-none-any.whl\n' }, 's2');
    repo.git('tag', 's2');
    const v2 = planFile('s2.json');
    allowed(
      await lciAs('gamma-stage-plan', [
        'deploy',
        'gamma',
        '--env',
        'stage',
        '--source-version',
        's2',
        '--plan-out',
        v2,
      ]),
      'plan s2',
    );
    // the plan role writes no Lambda function
    const refusedApply = await lciAs('gamma-stage-plan', ['apply', v2, '--yes']);
    assert.is.not(refusedApply.code, 0, refusedApply.stdout);
    assert.ok(refusedApply.refused.length > 0, 'moto refused the plan role a Lambda write');
    const applied = await lciAs('gamma-stage', ['apply', v2, '--yes']);
    allowed(applied, 'apply s2, then prune (s3:DeleteObject, no s3:PutObject)');
    const pruned = applied.json.functions[0]!.pruned as { layerVersions: string[]; s3: string[] };
    assert.equal(pruned.layerVersions, ['gamma-stage-deps:1'], JSON.stringify(pruned));
    assert.ok(
      pruned.s3.some((k) => /\/_lci\/deps\/stage\/gamma-stage\/[0-9a-f]{32}\.zip$/.test(k)),
      JSON.stringify(pruned),
    );
    // the apply role may not write the artifacts it applies
    const put = await s3As('gamma-stage')
      .send(
        new PutObjectCommand({
          Bucket: 'acme-artifacts',
          Key: `lambda-ci/gamma-stage/s2/app.zip`,
          Body: 'other bytes',
        }),
      )
      .then(
        () => 'written',
        (e: Error) => e.name,
      );
    assert.is(put, 'AccessDenied');
  },
);

iam(
  "an environment's pipeline: one plan of qa (the plan role), applied as the batch graph runs it: the shared layers, then each shard",
  async () => {
    // alpha changes, and the shared layer gamma uses: one plan, whose shared layer the first build publishes
    await writeWheel(join(repo.dir, 'libs/common_util-1.0.1-py3-none-any.whl'), 'common_util', '1.0.1', {
      'common_util/__init__.py': 'X = 2\n',
    });
    repo.commit(
      {
        'svc/alpha/app.py': 'def handler(event, context):\n    return "alpha 2"\n',
        'layers/common/requirements.txt': '../../libs/common_util-1.0.1-py3-none-any.whl\n',
      },
      'alpha 2, common 1.0.1',
    );
    const file = planFile('qa.json');
    const planned = await lciAs('env-qa-plan', [
      'deploy',
      '--affected',
      '--since',
      'deployed',
      '--env',
      'qa',
      '--source-version',
      repo.head(),
      '--strategy',
      'canary:50:0.01',
      '--only-matching-ref',
      '--branch',
      'main',
      '--plan-out',
      file,
    ]);
    allowed(planned, 'plan qa');
    assert.equal(planned.json.functions.map((f) => f.name).sort(), ['alpha', 'gamma']);
    const layers = await lciAs('env-qa', ['apply', file, '--layers-only', '--yes']);
    allowed(layers, 'the shared layers');
    assert.equal(
      layers.json.layers.map((l) => [l.name, l.status]),
      [['common', 'PUBLISHED']],
    );
    const applied: string[][] = [];
    for (const shard of ['--shard=1/2', '--shard=2/2']) {
      const r = await lciAs('env-qa', ['apply', file, shard, '--yes']);
      allowed(r, `apply ${shard}`);
      applied.push(...r.json.functions.map((f) => [f.name, f.status]));
    }
    assert.equal(applied.sort(), [
      ['alpha', 'PUBLISHED'],
      ['gamma', 'PUBLISHED'],
    ]);
  },
);

iam(
  'status with a role that may not read the account settings: the storage is unknown, the rest is shown',
  async () => {
    const r = await lciAs('gamma-qa', ['status', 'gamma', '--env', 'qa']);
    assert.is(r.code, 0, r.stderr);
    const storage = (JSON.parse(r.stdout) as { storage: { unknown?: string } }).storage;
    assert.ok(storage.unknown, JSON.stringify(storage));
  },
);

iam.run();
