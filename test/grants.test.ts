import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DIGITS, iamPattern, model, overlaps, SEGMENT, type Pattern } from '../src/generate/iam-patterns.js';
import { lci } from './harness/cli.js';
import {
  ACCOUNT,
  byType,
  checkedAndPlanned,
  defaultLayout,
  environmentLayout,
  generated,
  list,
  REGION,
  statementsOf,
} from './harness/generated-terraform.js';
import { GitRepo } from './harness/git-repo.js';
import { StsStandin } from './harness/sts-standin.js';
import { plannedResources, requireTerraform, type PlannedResource } from './harness/terraform.js';

// No value of lambdas.yaml widens what a generated role may do: names lci's S3 layout uses are
// refused, config values in IAM resources are literals, every pipeline's artifacts have a prefix
// of their own, and the environment layout never grants a pattern that reaches another
// environment. What is asserted is read back from the real `terraform plan` / `show -json`: the
// policy documents as IAM would receive them.

const FUNCTIONS = ['shop-payments-reconciler', ...Array.from({ length: 10 }, (_, i) => `f${i}`), 'odd'];

function config(functionName = '${env}-${name}', prefix = 'x*'): string {
  return `version: 1
artifacts: { bucket: acme-artifacts, prefix: "${prefix}", region: ${REGION} }
environments:
  qa: { branch: main, alarms: ["*", "a?b", "$x"], strategy: "canary:10:5" }
  prod: { tag: "v*", alias: live }
defaults: { functionName: "${functionName}", runtime: python3.12, handler: app.handler, descriptor: false }
functions:
${FUNCTIONS.filter((f) => f !== 'odd')
  .map((f) => `  ${f}: { path: svc/${f} }`)
  .join('\n')}
  odd: { path: svc/odd, environments: { prod: { functionName: qa-odd-live } } }
`;
}

function repoWith(text: string): GitRepo {
  const files: Record<string, string> = { 'lambdas.yaml': text };
  for (const f of FUNCTIONS) files[`svc/${f}/app.py`] = 'def handler(e, c):\n    return 1\n';
  return GitRepo.create(files);
}

// ---------------------------------------------------------------------------------------------

const names = suite("validate: no name reaches lci's own S3 keys");

names(
  "functionName '_lci' (or any leading '_'), in a function or an environment override: refused where it is written",
  () => {
    const atFunction = repoWith(
      config().replace('  f0: { path: svc/f0 }', '  f0: { path: svc/f0, functionName: _lci }'),
    );
    const r = lci(['validate'], { cwd: atFunction.dir });
    assert.is(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /^lambdas\.yaml:9:37: functions\.f0\.functionName: resolves to '_lci' in environment 'qa', which starts with '_': names starting with '_' are reserved for lci's own S3 keys \(_lci\/…/,
    );
    assert.is(
      r.stderr.match(/^lambdas\.yaml:/gm)!.length,
      1,
      'one problem, though it resolves so in both environments',
    );
    const override = repoWith(
      config().replace(
        '  f1: { path: svc/f1 }',
        '  f1: { path: svc/f1, environments: { prod: { functionName: _lci } } }',
      ),
    );
    const o = lci(['validate'], { cwd: override.dir });
    assert.is(o.code, 2);
    assert.match(
      o.stderr,
      /^lambdas\.yaml:10:61: functions\.f1\.environments\.prod\.functionName: resolves to '_lci' in environment 'prod'/,
    );
    assert.is(o.stderr.match(/^lambdas\.yaml:/gm)!.length, 1, 'one problem');
    const g = lci(['generate'], { cwd: override.dir });
    assert.is(g.code, 2);
    assert.not.ok(existsSync(join(override.dir, 'infra')), 'nothing written');
  },
);

names("artifacts.prefix: a segment starting with '_', or an empty, '.' or '..' one, is refused", () => {
  for (const [prefix, message] of [
    ['team/_lci', /'team\/_lci' has a segment starting with '_' \('_lci'\)/],
    ['a//b', /'a\/\/b' has an empty, '\.' or '\.\.' segment/],
    ['a/../b', /has an empty, '\.' or '\.\.' segment/],
  ] as const) {
    const r = lci(['validate'], { cwd: repoWith(config(undefined, prefix)).dir });
    assert.is(r.code, 2, prefix);
    assert.match(r.stderr, /^lambdas\.yaml:2:\d+: artifacts\.prefix: /);
    assert.match(r.stderr, message);
  }
});

// ---------------------------------------------------------------------------------------------

const plan = suite('terraform: what the generated roles may reach, read back from the plan');
let sts: StsStandin;
let planned: PlannedResource[];
let generateStderr = '';

plan.before(async () => {
  try {
    requireTerraform();
    sts = await StsStandin.start(ACCOUNT);
    const tf = await generated(repoWith(config()), '', [], (stderr) => (generateStderr += stderr));
    planned = plannedResources(await checkedAndPlanned(tf, sts.endpoint));
  } catch (e) {
    console.error('grants: the config could not be planned:', e); // uvu does not show errors of hooks
    throw e;
  }
});

plan.after(async () => {
  await sts?.close();
});

/** Every inline policy of the plan, by the address of its role policy. */
function policies(resources: PlannedResource[]): { address: string; name: string; resources: string[] }[] {
  return byType(resources, 'aws_iam_role_policy')
    .filter((r) => r.values.policy !== undefined) // unknown until apply: statementsOf says so where it is read
    .map((r) => ({
      address: r.address,
      name: r.values.name as string,
      resources: (
        JSON.parse(r.values.policy as string) as { Statement: { Resource: string | string[] }[] }
      ).Statement.flatMap((s) => list(s.Resource)),
    }));
}

const ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:`;

plan('no wildcard from lambdas.yaml reaches a Resource: the prefix and the alarms are IAM literals', () => {
  const all = policies(planned);
  for (const p of all)
    for (const resource of p.resources) {
      // lci's own wildcards: a whole prefix (/*), every version or alias (:*), the environment layout's patterns
      const own = resource
        .replace(/\$\{[*?$]\}/g, 'L')
        .replace(/[/:]\*$/, '')
        .replace(/(?<=[:/])(qa-f\*|prod-\*)(-deps)?(?=$|[:/])/, 'P');
      assert.not.ok(/[*?]/.test(own), `${p.address}: ${resource}`);
      if (resource.startsWith('arn:aws:s3:::acme-artifacts/x'))
        assert.ok(resource.startsWith('arn:aws:s3:::acme-artifacts/x${*}/'), `${p.address}: ${resource}`);
    }
  assert.is(
    all.length,
    2 * 26 + 2 + 2,
    "every role policy is known at plan: the build, pipeline and batch roles, and the environment layout's plan roles",
  );
  const alarms = statementsOf(defaultLayout(planned), 'lci-f0-qa').find((s) => s.Sid === 'WatchAlarms')!;
  assert.equal(list(alarms.Resource).sort(), [
    `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:\${$}x`,
    `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:\${*}`,
    `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a\${?}b`,
  ]);
  for (const r of list(alarms.Resource)) {
    assert.not.ok(overlaps(iamPattern(r), model(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:prod-errors`)));
    assert.not.ok(overlaps(iamPattern(r), model(`arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:aXb`)));
  }
});

plan(
  "every pipeline's artifacts have a prefix of their own: QA and prod of a long name differ, neither covers the other",
  () => {
    for (const layout of [defaultLayout(planned), environmentLayout(planned)]) {
      const prefixes = byType(layout, 'aws_codepipeline').flatMap((p) => {
        const name = p.values.name as string;
        const stages = p.values.stage as { action: { output_artifacts?: string[]; input_artifacts?: string[] }[] }[];
        // the source's, and in the environment layout the plan's, which the last stage applies
        const artifacts = stages.flatMap((st) => st.action[0]!.output_artifacts ?? []);
        assert.equal(stages.at(-1)!.action[0]!.input_artifacts, artifacts);
        const granted = statementsOf(layout, name, 'lci-pipeline').find((s) => s.Sid === 'Artifacts')!;
        assert.equal(
          list(granted.Resource),
          artifacts.map((a) => `arn:aws:s3:::acme-artifacts/${name.slice(0, 20)}/${a}/*`),
        );
        return list(granted.Resource).map((resource) => ({ name, resource }));
      });
      for (const a of prefixes)
        for (const b of prefixes)
          if (a !== b)
            assert.not.ok(
              overlaps(iamPattern(a.resource), iamPattern(b.resource)),
              `${a.name}: ${a.resource} covers ${b.resource}`,
            );
    }
    const [qa, prod] = ['lci-shop-payments-reconciler-qa', 'lci-shop-payments-reconciler-prod'];
    assert.is(qa.slice(0, 20), prod.slice(0, 20), 'the two names are equal in their first 20 characters');
    const resource = (n: string) =>
      list(statementsOf(planned, n, 'lci-pipeline').find((s) => s.Sid === 'Artifacts')!.Resource)[0]!;
    assert.is.not(resource(qa), resource(prod));
  },
);

/** What an environment's role must not reach: the other environment's functions (their versions and aliases too), layers and S3 keys. */
function fences(other: string, functions: string[]): { lambda: Pattern[]; s3: Pattern[] } {
  return {
    lambda: functions.flatMap((m) => [
      model(`${ARN}function:${m}`),
      model(`${ARN}function:${m}:`, ...DIGITS),
      model(`${ARN}function:${m}:live`),
      model(`${ARN}function:${m}:qa`),
      model(`${ARN}layer:${m}-deps`),
      model(`${ARN}layer:${m}-deps:`, ...DIGITS),
    ]),
    s3: [
      ...functions.map((m) => model(`arn:aws:s3:::acme-artifacts/x*/${m}/`, ...SEGMENT, '/', ...SEGMENT)),
      model(`arn:aws:s3:::acme-artifacts/x*/_lci/deps/${other}/`, { run: 'any' }),
    ],
  };
}

plan(
  '--layout environment above 10 functions: patterns, none reaching a function, layer or S3 key of the other environment',
  () => {
    const byEnv = environmentLayout(planned);
    const functions = byType(defaultLayout(planned), 'aws_lambda_function').map(
      (r) => r.values.function_name as string,
    );
    const names = (env: string) =>
      functions.filter((n) => (n === 'qa-odd-live' ? env === 'prod' : n.startsWith(`${env}-`)));
    for (const [env, other] of [
      ['qa', 'prod'],
      ['prod', 'qa'],
    ] as const) {
      // the build role (the Apply batch's) and the plan role (the one that writes artifacts)
      const statements = [...statementsOf(byEnv, `lci-${env}`), ...statementsOf(byEnv, `lci-${env}`, 'lci-plan')];
      const release = list(statements.find((s) => s.Sid === 'ReleaseFunctions')!.Resource);
      assert.ok(
        release.some((r) => r.includes('*') && !r.endsWith(':*')),
        `${env} uses a pattern: ${release.join(' ')}`,
      );
      const fence = fences(other, names(other));
      assert.ok(fence.lambda.length > 20, 'the other environment has functions');
      const lambda = statements.flatMap((s) => list(s.Resource)).filter((r) => r.startsWith(ARN));
      for (const r of lambda)
        for (const f of fence.lambda) assert.not.ok(overlaps(iamPattern(r), f), `${env}: ${r} reaches ${other}`);
      const writes = statements
        .filter((s) => list(s.Action).some((a) => ['s3:PutObject', 's3:DeleteObject'].includes(a)))
        .flatMap((s) => list(s.Resource));
      assert.ok(writes.length > 0, 'the plan role writes artifacts, the build role prunes');
      for (const r of writes)
        for (const f of fence.s3) assert.not.ok(overlaps(iamPattern(r), f), `${env}: ${r} reaches ${other}`);
      // every function of the environment is still covered
      for (const n of names(env))
        assert.ok(
          release.some((r) => overlaps(iamPattern(r), model(`${ARN}function:${n}`))),
          `${env}: ${n} is released`,
        );
    }
    assert.match(generateStderr, /lci-qa: its build role names 12 functions and their layers by the patterns qa-f\*/);
    assert.match(generateStderr, /none matches a function, layer or S3 key of another environment/);
  },
);

const refused = suite('generate --layout environment: a pattern that would reach another environment is refused');

refused(
  '12 functions named "${name}-${env}": no prefix sets qa apart in S3, so generate stops, says how, writes nothing',
  () => {
    const repo = repoWith(config('${name}-${env}'));
    const r = lci(['generate', '--layout', 'environment'], { cwd: repo.dir });
    assert.is(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /--layout environment: the 12 functions of environment 'qa' cannot be named by 10 patterns in its build role's policy/,
    );
    assert.match(r.stderr, /functionName: "\$\{env\}-\$\{name\}"\), or use the default layout/);
    assert.not.ok(existsSync(join(repo.dir, 'infra')), 'nothing written');
    assert.is(lci(['generate'], { cwd: repo.dir }).code, 0, 'the default layout names each function');
  },
);

names.run();
refused.run();
plan.run();
