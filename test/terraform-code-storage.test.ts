import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import {
  ACCOUNT,
  byType,
  checkedAndPlanned,
  defaultLayout,
  environmentLayout,
  generated,
  list,
  statementsOf,
} from './harness/generated-terraform.js';
import { GitRepo } from './harness/git-repo.js';
import { StsStandin } from './harness/sts-standin.js';
import { plannedResources, type PlannedResource, requireTerraform } from './harness/terraform.js';

// lci generate for codeStorage: reference: the artifacts bucket keeps versions and lets Lambda read
// the code, for this account only; the build roles may read the bucket's versioning and, when they
// prune, delete object versions. Real terraform fmt -check, init, validate and plan.

const PREFIX = "art*'(x)"; // S3-safe, and an IAM wildcard that must stay a literal

function config(prodStorage: string): string {
  return `version: 1
artifacts: { bucket: acme-artifacts, prefix: "${PREFIX}", region: eu-west-1 }
ci: { namePrefix: acme }
environments:
  qa: { branch: main }
  prod: { tag: "v*", prune: { keep: 3 }${prodStorage} }
functions:
  orders:
    path: svc/orders
    descriptor: false
    functionName: "\${env}-orders"
`;
}

let sts: StsStandin;
let plan: PlannedResource[];
const storage = suite('terraform: codeStorage: reference');

storage.before(async () => {
  try {
    requireTerraform();
    sts = await StsStandin.start(ACCOUNT);
    const repo = GitRepo.create({
      'lambdas.yaml': config(', codeStorage: reference'),
      'svc/orders/index.js': 'exports.handler = async () => 1;\n',
    });
    const tf = await generated(repo, '.', []);
    plan = plannedResources(
      await checkedAndPlanned(tf, sts.endpoint, {
        artifacts_bucket_policy_documents: [
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Sid: 'Mine', Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: '*' }],
          }),
        ],
      }),
    );
  } catch (e) {
    console.error('terraform: the codeStorage config could not be planned:', e);
    throw e;
  }
});

storage.after(async () => {
  await sts?.close();
});

storage('the artifacts bucket keeps versions', () => {
  const versioning = byType(defaultLayout(plan), 'aws_s3_bucket_versioning');
  assert.is(versioning.length, 1);
  assert.is(versioning[0]!.values.bucket, 'acme-artifacts');
  assert.equal(versioning[0]!.values.versioning_configuration, [{ status: 'Enabled' }]);
});

storage(
  "the bucket policy lets lambda.amazonaws.com read the code under the prefix, for this account only, beside the user's own statements",
  () => {
    for (const layout of [defaultLayout(plan), environmentLayout(plan)]) {
      const policy = byType(layout, 'aws_s3_bucket_policy');
      assert.is(policy.length, 1);
      const doc = JSON.parse(policy[0]!.values.policy as string) as {
        Statement: {
          Sid: string;
          Principal: unknown;
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }[];
      };
      const lambda = doc.Statement.find((s) => s.Sid === 'LambdaReadsReferencedCode')!;
      assert.equal(lambda.Principal, { Service: 'lambda.amazonaws.com' });
      assert.equal(list(lambda.Action).sort(), ['s3:GetObject', 's3:GetObjectVersion']);
      assert.is(lambda.Resource, "arn:aws:s3:::acme-artifacts/art${*}'(x)/*", 'the prefix is an IAM literal');
      assert.equal(lambda.Condition, { StringEquals: { 'aws:SourceAccount': ACCOUNT } });
      // (the environment layout is planned as a module the test passes no such variable to)
      if (layout[0]!.address.startsWith('module.by_environment.')) continue;
      assert.ok(
        doc.Statement.some((s) => s.Sid === 'Mine'),
        'artifacts_bucket_policy_documents are merged in',
      );
    }
  },
);

storage('the build roles may read the versioning; the pruning ones delete object versions under their prefixes', () => {
  for (const [layout, prod, qa] of [
    [defaultLayout(plan), 'acme-orders-prod', 'acme-orders-qa'],
    [environmentLayout(plan), 'acme-prod', 'acme-qa'],
  ] as const) {
    for (const role of [prod, qa]) {
      const versions = statementsOf(layout, role).find((s) => s.Sid === 'ArtifactVersions')!;
      assert.equal(list(versions.Action).sort(), ['s3:GetBucketVersioning', 's3:ListBucketVersions']);
      assert.equal(list(versions.Resource), ['arn:aws:s3:::acme-artifacts']);
    }
    const statements = statementsOf(layout, prod);
    const prune = statements.find((s) => s.Sid === 'PruneArtifacts')!;
    const versions = statements.find((s) => s.Sid === 'PruneArtifactVersions')!;
    assert.equal(list(versions.Action), ['s3:DeleteObjectVersion']);
    assert.equal(list(versions.Resource), list(prune.Resource), 'under the same prefixes as DeleteObject');
    for (const r of list(versions.Resource)) assert.match(r, "arn:aws:s3:::acme-artifacts/art${*}'(x)/");
    assert.not.ok(
      statementsOf(layout, qa).some((s) => s.Sid.startsWith('Prune')),
      'qa does not prune',
    );
  }
});

storage('without codeStorage: reference, none of it is written', () => {
  const repo = GitRepo.create({
    'lambdas.yaml': config(''),
    'svc/orders/index.js': 'exports.handler = async () => 1;\n',
  });
  const r = lci(['generate'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  assert.not.ok(existsSync(join(repo.dir, 'infra/lambda-ci/code-storage.tf')), 'no bucket versioning or policy');
  assert.match(
    readFileSync(join(repo.dir, 'infra/lambda-ci/main.tf'), 'utf8'),
    /\n {2}versioned_artifacts += false\n/,
    'the roles get no version permissions',
  );
});

storage.run();
