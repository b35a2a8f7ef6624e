import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci } from './harness/cli.js';
import { GitRepo } from './harness/git-repo.js';

// The deploy role may invoke a function's versions (the smoke gate) only in pipelines whose
// function has smoke events.

type Json = Record<string, any>;

test('lambda:InvokeFunction on the versions of the function, only where smoke events are configured', async () => {
  const repo = GitRepo.create({
    'lambdas.yaml': `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
environments:
  qa: { branch: main }
  prod: { tag: "v*", smoke: [{ event: { ping: true } }] }
functions:
  orders: { path: svc/orders, descriptor: false }
  web: { path: svc/web, descriptor: false, environments: { qa: { smoke: [{ file: smoke.json }] } } }
`,
    'svc/orders/app.py': '',
    'svc/web/app.py': '',
    'smoke.json': '{}',
  });
  const r = lci(['generate'], { cwd: repo.dir });
  assert.is(r.code, 0, r.stderr);
  const out = join(repo.dir, 'infra/lambda-ci');
  const main = (await parseHcl('main.tf', readFileSync(join(out, 'main.tf'), 'utf8'))) as Json;
  const pipelines = (main.locals as Json[]).find((l) => 'pipelines' in l)!.pipelines as Record<
    string,
    { smoke: boolean }
  >;
  assert.equal(Object.fromEntries(Object.entries(pipelines).map(([k, v]) => [k, v.smoke])), {
    'lci-orders-qa': false,
    'lci-orders-prod': true,
    'lci-web-qa': true,
    'lci-web-prod': true,
  });
  assert.is((main.module as Json).pipeline[0].smoke, '${each.value.smoke}');
  const iam = (await parseHcl('iam.tf', readFileSync(join(out, 'modules/pipeline/iam.tf'), 'utf8'))) as Json;
  const dynamics = (iam.data.aws_iam_policy_document.codebuild[0].dynamic.statement as Json[]).filter((d) =>
    (d.content as Json[]).some((c) => (c.actions as string[]).includes('lambda:InvokeFunction')),
  );
  assert.is(dynamics.length, 1);
  assert.is(dynamics[0]!.for_each, '${var.smoke ? [local.function_arn] : []}');
  assert.equal(
    dynamics[0]!.content[0].resources,
    ['${statement.value}:*'],
    'qualified ARNs only: versions, not the function itself',
  );
  const statics = iam.data.aws_iam_policy_document.codebuild[0].statement as Json[];
  assert.not.ok(
    statics.some((s) => (s.actions as string[]).includes('lambda:InvokeFunction')),
    'never granted unconditionally',
  );
});

test.run();
