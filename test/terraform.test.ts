import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { iamLiteral } from '../src/generate/iam-patterns.js';
import { lci } from './harness/cli.js';
import { startsPipeline } from './harness/codepipeline-glob.js';
import { EXAMPLE_PIPELINES, exampleRepo } from './harness/example-repo.js';
import { GitRepo } from './harness/git-repo.js';
import { StsStandin } from './harness/sts-standin.js';
import {
  ACCOUNT,
  byType,
  checkedAndPlanned,
  defaultLayout,
  environmentLayout,
  generated,
  list,
  REGION,
  type Statement,
  statementsOf,
} from './harness/generated-terraform.js';
import {
  plannedResources,
  requireTerraform,
  type PlanJson,
  type PlannedResource,
  type TerraformDir,
} from './harness/terraform.js';

// lci generate through the real Terraform CLI and the real hashicorp/aws provider (offline, from
// the local mirror): fmt -check, init, validate and plan, for the example monorepo and for a large
// config full of hostile values, each in both layouts (the environment layout is planned in the
// same run, as a module of the same root: one init and one plan check both). plan talks to 127.0.0.1 only: its one AWS call (STS
// GetCallerIdentity) is answered by test/harness/sts-standin.ts. Values are read back from
// `terraform show -json` of the saved plan, so what is asserted is what Terraform would send AWS.

/** Every way a value could turn into code: Terraform templates, YAML, shell replacement patterns, escapes. */
const HOSTILE = '${path.cwd} %{ if true }x%{ endif } $${lit} $$${path.module} "q" $& back\\slash';
/** The same with line breaks, where the schema allows them. */
const HOSTILE_LINES = `${HOSTILE} a\nresource "aws_s3_bucket" "x" {}\nb\rc`;
/** A directory name holding all of it (no '/'): the config lives below it. */
const CONFIG_DIR = `cfg ${HOSTILE_LINES}`;

/** The repository path as CodePipeline's (java.nio) glob reads it literally. */
const literalGlob = (p: string) => p.replace(/[\\*?[\]{}]/g, (c) => `\\${c}`);

let sts: StsStandin;

const first = <T>(v: unknown): T => (v as T[])[0]!;

// ---------------------------------------------------------------------------------------------

const example = suite('terraform: the example monorepo');
let exampleTf: TerraformDir;
let examplePlan: PlannedResource[];
let exampleByEnv: PlannedResource[];

example.before(async () => {
  requireTerraform();
  sts = await StsStandin.start(ACCOUNT);
  exampleTf = await generated(exampleRepo(), '', ['--shards', '3']);
  const all = plannedResources(await checkedAndPlanned(exampleTf, sts.endpoint));
  examplePlan = defaultLayout(all);
  exampleByEnv = environmentLayout(all);
});

example(
  'fmt -check, init (aws provider only), validate and plan pass; plan asks AWS only who the caller is',
  async () => {
    assert.ok(sts.log.length > 0 && sts.log.every((a) => a === 'GetCallerIdentity'), sts.log.join(','));
    const lock = readFileSync(join(exampleTf.dir, '.terraform.lock.hcl'), 'utf8');
    assert.equal(
      [...lock.matchAll(/provider "([^"]+)"/g)].map((m) => m[1]),
      ['registry.terraform.io/hashicorp/aws'],
    );
    const pipelines = byType(examplePlan, 'aws_codepipeline')
      .map((r) => r.values.name)
      .sort();
    assert.equal(pipelines, EXAMPLE_PIPELINES);
  },
);

example(
  'state applied before pipeline-common existed follows the moved blocks: the pipeline role is moved, never replaced',
  async () => {
    const moved = [...examplePlan, ...exampleByEnv].filter(
      (r) => r.type === 'aws_iam_role' && r.address.endsWith('.module.common.aws_iam_role.codepipeline'),
    );
    assert.is(moved.length, EXAMPLE_PIPELINES.length + 2, 'one per pipeline, both layouts');
    // The state an apply of the earlier layout left: the roles at their old addresses, outside the common module.
    const old = (address: string) => address.replace('.module.common.', '.');
    const state = {
      version: 4,
      terraform_version: '1.11.0',
      serial: 1,
      lineage: '6d6f7665-6400-4000-8000-000000000001',
      outputs: {},
      resources: moved.map((r) => {
        const at = old(r.address);
        return {
          module: at.slice(0, at.lastIndexOf('.aws_iam_role.')),
          mode: 'managed',
          type: 'aws_iam_role',
          name: 'codepipeline',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [
            {
              schema_version: 0,
              attributes: {
                id: r.values.name,
                name: r.values.name,
                arn: `arn:aws:iam::${ACCOUNT}:role/${r.values.name}`,
                path: '/',
                assume_role_policy: r.values.assume_role_policy,
                max_session_duration: 3600,
                force_detach_policies: false,
                tags: r.values.tags,
                tags_all: r.values.tags_all ?? r.values.tags,
              },
            },
          ],
        };
      }),
    };
    writeFileSync(join(exampleTf.dir, 'terraform.tfstate'), JSON.stringify(state));
    try {
      await exampleTf.ok([
        'plan',
        '-refresh=false',
        '-input=false',
        '-lock=false',
        '-var-file=lci_test.tfvars.json',
        '-out=moved.plan',
      ]);
      const shown = JSON.parse((await exampleTf.ok(['show', '-json', 'moved.plan'])).stdout) as {
        resource_changes: { address: string; previous_address?: string; change: { actions: string[] } }[];
      };
      for (const r of moved) {
        const change = shown.resource_changes.find((c) => c.address === r.address)!;
        assert.is(change.previous_address, old(r.address), r.address);
        assert.not.ok(
          change.change.actions.includes('delete') || change.change.actions.includes('create'),
          `${r.address}: ${change.change.actions}`,
        );
      }
    } finally {
      rmSync(join(exampleTf.dir, 'terraform.tfstate'), { force: true });
    }
  },
);

example(
  '--layout environment: a pipeline per environment plans once; its Apply is a batch graph, the shared layers first, then the shards, each with its share of the budget',
  () => {
    assert.equal(
      byType(exampleByEnv, 'aws_codepipeline')
        .map((r) => r.values.name)
        .sort(),
      ['lci-prod', 'lci-qa'],
    );
    const project = byType(exampleByEnv, 'aws_codebuild_project').find((r) => r.values.name === 'lci-qa')!;
    const batch = first<{
      combine_artifacts: boolean;
      restrictions: { maximum_builds_allowed: number; compute_types_allowed: string[] }[];
    }>(project.values.build_batch_config);
    assert.equal(
      [
        batch.combine_artifacts,
        batch.restrictions[0]!.maximum_builds_allowed,
        batch.restrictions[0]!.compute_types_allowed,
      ],
      [false, 4, ['BUILD_GENERAL1_SMALL']],
      'the layers build and 3 shards',
    );
    const spec = parseYaml(first<{ buildspec: string }>(project.values.source).buildspec) as {
      batch: {
        'fast-fail': boolean;
        'build-graph': { identifier: string; 'depend-on'?: string[]; env: { variables: Record<string, string> } }[];
      };
      phases: { build: { commands: string[] } };
    };
    assert.equal(
      spec.batch['build-graph'].map((b) => [b.identifier, b['depend-on'] ?? [], b.env.variables.LCI_APPLY_PART]),
      [
        ['layers', [], '--layers-only'],
        ['shard_1', ['layers'], '--shard=1/3'],
        ['shard_2', ['layers'], '--shard=2/3'],
        ['shard_3', ['layers'], '--shard=3/3'],
      ],
    );
    assert.equal(spec.phases.build.commands, [
      'LCI_PLAN_DIR="$(printenv "CODEBUILD_SRC_DIR_$LCI_PLAN_ARTIFACT")" && test -d "$LCI_PLAN_DIR"',
      'if [ -f "$LCI_PLAN_DIR/plan.json" ]; then lci apply "$LCI_PLAN_DIR/plan.json" "$LCI_APPLY_PART" --config "$LCI_CONFIG" --yes; else cat "$LCI_PLAN_DIR/plan.txt"; fi',
    ]);
    const plan = byType(exampleByEnv, 'aws_codebuild_project').find((r) => r.values.name === 'lci-qa-plan')!;
    const planSpec = parseYaml(first<{ buildspec: string }>(plan.values.source).buildspec) as {
      phases: { build: { commands: string[] } };
    };
    assert.match(
      planSpec.phases.build.commands[1]!,
      /^lci deploy --affected --since deployed --env "\$LCI_ENV" .* --plan-out \.lci\/plan\/plan\.json > \.lci\/plan\/plan\.txt;/,
    );
    const stages = byType(exampleByEnv, 'aws_codepipeline').find((r) => r.values.name === 'lci-qa')!.values.stage as {
      name: string;
      action: { configuration: Record<string, string> }[];
    }[];
    assert.equal(
      stages.map((st) => st.name),
      ['Source', 'Plan', 'Apply'],
      'no confirm: the plan is applied without a person',
    );
    assert.equal(
      [stages[2]!.action[0]!.configuration.BatchEnabled, stages[2]!.action[0]!.configuration.CombineArtifacts],
      ['true', 'false'],
    );
    // The build role releases the environment's functions and layers, named one by one; no others.
    const release = statementsOf(exampleByEnv, 'lci-qa').find((st) => st.Sid === 'ReleaseFunctions')!;
    const fn = (n: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${n}`;
    const qa = ['invoice-worker-qa', 'notifier-qa', 'orders-api-qa', 'webhooks-qa'];
    assert.equal(list(release.Resource).sort(), [...qa.map(fn), ...qa.map((n) => `${fn(n)}:*`)].sort());
    // The batch runs under its own role, whose policy names the project only.
    assert.ok(byType(exampleByEnv, 'aws_iam_role').some((r) => r.values.name === `lci-qa-${REGION}-batch`));
    const shards = statementsOf(exampleByEnv, 'lci-qa', 'lci-batch').find((st) => st.Sid === 'RunShards')!;
    assert.equal(list(shards.Resource), [`arn:aws:codebuild:${REGION}:${ACCOUNT}:project/lci-qa`]);
  },
);

example(
  "every resource that takes tags has lci's and the user's (the provider schema says which take tags)",
  async () => {
    const schema = JSON.parse((await exampleTf.ok(['providers', 'schema', '-json'])).stdout) as {
      provider_schemas: Record<
        string,
        { resource_schemas: Record<string, { block: { attributes: Record<string, unknown> } }> }
      >;
    };
    const resources = Object.values(schema.provider_schemas)[0]!.resource_schemas;
    let tagged = 0;
    for (const r of [...examplePlan, ...exampleByEnv]) {
      if (!('tags' in resources[r.type]!.block.attributes)) continue;
      tagged++;
      const tags = r.values.tags as Record<string, string>;
      assert.is(tags?.['managed-by'], 'lambda-ci', r.address);
      assert.is(tags?.team, 'payments', r.address);
    }
    const types = new Set(examplePlan.filter((r) => 'tags' in resources[r.type]!.block.attributes).map((r) => r.type));
    assert.equal([...types].sort(), [
      'aws_cloudwatch_log_group',
      'aws_codebuild_project',
      'aws_codepipeline',
      'aws_iam_role',
      'aws_lambda_function',
    ]);
    const envTypes = new Set(
      exampleByEnv.filter((r) => 'tags' in resources[r.type]!.block.attributes).map((r) => r.type),
    );
    assert.equal([...envTypes].sort(), [...types].sort());
    assert.ok(tagged > 40, `${tagged}`);
  },
);

example('arm64 builds on an ARM CodeBuild environment; CodeBuild logs are kept 30 days; roles carry the region', () => {
  const projects = Object.fromEntries(
    byType(examplePlan, 'aws_codebuild_project').map((r) => [
      r.values.name as string,
      first<Record<string, string>>(r.values.environment),
    ]),
  );
  assert.is(projects['lci-invoice-worker-qa']!.type, 'ARM_CONTAINER');
  assert.is(projects['lci-invoice-worker-qa']!.image, 'aws/codebuild/amazonlinux-aarch64-standard:3.0');
  assert.is(projects['lci-orders-api-qa']!.type, 'LINUX_CONTAINER');
  for (const g of byType(examplePlan, 'aws_cloudwatch_log_group')) assert.is(g.values.retention_in_days, 30);
  const roles = byType(examplePlan, 'aws_iam_role').map((r) => r.values.name as string);
  assert.ok(
    roles.includes(`lci-orders-api-qa-${REGION}-build`) && roles.includes(`lci-orders-api-qa-${REGION}-pipeline`),
    roles.join(' '),
  );
  for (const r of roles) assert.ok(r.length <= 64, r);
});

example('a provider in another region than artifacts.region fails at plan', async () => {
  exampleTf.writeTestProvider(sts.endpoint, 'us-east-1');
  const r = await exampleTf.run([
    'plan',
    '-input=false',
    '-lock=false',
    '-target=data.aws_region.current',
    '-var-file=lci_test.tfvars.json',
  ]);
  assert.is.not(r.code, 0);
  assert.match(
    r.stderr.replace(/\s+/g, ' '),
    /lambdas\.yaml deploys to eu-west-1 \(artifacts\.region\), but the aws provider is configured for us-east-1/,
  );
  exampleTf.writeTestProvider(sts.endpoint, REGION);
});

example.after(async () => {
  await sts.close();
});

// ---------------------------------------------------------------------------------------------

const WATCH_WIDE = Array.from({ length: 12 }, (_, i) => `wide/w${i}/**`);
const WATCH_HUGE = Array.from({ length: 30 }, (_, i) => `huge/h${i}/**`);

/** A large config below the repository root, with hostile values everywhere the schema allows them. */
function trickyConfig(): string {
  const q = JSON.stringify;
  const functions: string[] = [];
  for (let i = 1; i <= 8; i++) {
    const runtime = i % 3 === 0 ? 'nodejs20.x' : i % 4 === 0 ? 'nodejs22.x' : i % 2 === 0 ? 'python3.13' : 'python3.12';
    functions.push(`  fn${i}:
    path: services/fn${i}
    runtime: ${runtime}
    handler: index.handler
    architecture: ${i % 2 === 0 ? 'arm64' : 'x86_64'}`);
  }
  return `version: 1
artifacts: { bucket: acme-artifacts, prefix: lci/art, region: ${REGION} }
ci:
  namePrefix: acme
  install: [${q(HOSTILE)}, "npm ci --no-audit --no-fund"]
  command: ${q(`npx --no-install lci ${HOSTILE}`)}
notify: { slack: { webhookEnv: ACME_SLACK_HOOK } }
defaults:
  functionName: "\${env}-\${name}"
  alarms: [${q(HOSTILE_LINES)}]
shared: ["libs/common/**"]
environments:
  qa: { branch: ${q(`main ${HOSTILE_LINES}`)}, strategy: "linear:25:1.5" }
  prod: { tag: ${q(`v* ${HOSTILE_LINES}`)}, alias: live, strategy: "canary:10:5", alarms: [prod-errors], prune: { keep: 3 }, confirm: true }
functions:
${functions.join('\n')}
  hostile:
    path: services/hostile
    handler: ${q(HOSTILE_LINES)}
    watch: [${q('watched/${path.cwd} %{ x } "q" $&\n/**')}]
    exclude: ["tests/**", "docs/**"]
    include: ["docs/keep.md"]
  wide:
    path: services/wide
    watch: [${WATCH_WIDE.map((w) => q(w)).join(', ')}]
  huge:
    path: services/huge
    watch: [${WATCH_HUGE.map((w) => q(w)).join(', ')}]
  skipped:
    path: services/skipped
    environments: { prod: false }
  renamed:
    path: services/renamed
    runtime: nodejs22.x
    environments: { prod: { functionName: renamed-live, architecture: arm64 } }
`;
}

const tricky = suite('terraform: a large config below the repository root, hostile values everywhere');
let trickyTf: TerraformDir;
let trickyPlanJson: PlanJson;
let trickyPlan: PlannedResource[];
let trickyByEnv: PlannedResource[];
let generateStderr: string;

tricky.before(async () => {
  try {
    requireTerraform();
    sts = await StsStandin.start(ACCOUNT);
    const files: Record<string, string> = { [`${CONFIG_DIR}/lambdas.yaml`]: trickyConfig() };
    for (const f of [
      'fn1',
      'fn2',
      'fn3',
      'fn4',
      'fn5',
      'fn6',
      'fn7',
      'fn8',
      'hostile',
      'wide',
      'huge',
      'skipped',
      'renamed',
    ])
      files[`${CONFIG_DIR}/services/${f}/index.js`] = 'exports.handler = async () => 1;\n';
    files[`${CONFIG_DIR}/libs/common/util.py`] = 'X = 1\n';
    const repo = GitRepo.create(files);
    generateStderr = lci(['generate', '--with-functions', '--check'], { cwd: join(repo.dir, CONFIG_DIR) }).stderr;
    trickyTf = await generated(repo, CONFIG_DIR, []);
    trickyPlanJson = await checkedAndPlanned(trickyTf, sts.endpoint, {
      slack_webhook_url: 'https://example.invalid/hook',
      chatbot_info_channel_arn: `arn:aws:chatbot::${ACCOUNT}:chat-configuration/slack-channel/info`,
      chatbot_alert_channel_arn: `arn:aws:chatbot::${ACCOUNT}:chat-configuration/slack-channel/alerts`,
    });
    trickyPlan = defaultLayout(plannedResources(trickyPlanJson));
    trickyByEnv = environmentLayout(plannedResources(trickyPlanJson));
  } catch (e) {
    console.error('terraform: the large config could not be planned:', e); // uvu does not show errors of hooks
    throw e;
  }
});

const pipelineOf = (name: string) => byType(trickyPlan, 'aws_codepipeline').find((r) => r.values.name === name)!;
const projectOf = (name: string) => byType(trickyPlan, 'aws_codebuild_project').find((r) => r.values.name === name)!;
const pushes = (name: string) =>
  first<{ git_configuration: { push: Record<string, { includes: string[]; excludes?: string[] | null }[]>[] }[] }>(
    pipelineOf(name).values.trigger,
  ).git_configuration[0]!.push;
const envVars = (name: string) =>
  Object.fromEntries(
    first<{ environment_variable: { name: string; value: string; type: string }[] }>(
      projectOf(name).values.environment,
    ).environment_variable.map((v) => [v.name, v]),
  );

tricky('every function × environment has a pipeline, named with the prefix; the skipped one has none in prod', () => {
  const names = byType(trickyPlan, 'aws_codepipeline').map((r) => r.values.name as string);
  assert.is(names.length, 25);
  assert.ok(names.includes('acme-skipped-qa') && !names.includes('acme-skipped-prod'));
  assert.ok(names.every((n) => n.startsWith('acme-')));
  const ssm = byType(trickyPlan, 'aws_ssm_parameter')[0]!;
  assert.is(ssm.values.name, '/acme/slack-webhook-url');
  assert.is(byType(trickyPlan, 'aws_codestarnotifications_notification_rule').length, 50);
});

tricky('hostile values read back exactly from the plan: no expression was evaluated, nothing was inserted', () => {
  const config = `${CONFIG_DIR}/lambdas.yaml`;
  const vars = envVars('acme-hostile-qa');
  assert.is(vars.LCI_CONFIG!.value, config);
  assert.is(vars.LCI_FUNCTION!.value, 'hostile');
  const qa = first<Record<string, unknown>>(pushes('acme-hostile-qa'))!;
  assert.equal(first<{ includes: string[] }>(qa.branches).includes, [`main ${HOSTILE_LINES}`]);
  const prod = first<Record<string, unknown>>(pushes('acme-hostile-prod'))!;
  assert.equal(first<{ includes: string[] }>(prod.tags).includes, [`v* ${HOSTILE_LINES}`]);
  const lambda = byType(trickyPlan, 'aws_lambda_function').find((r) => r.values.function_name === 'qa-hostile')!;
  assert.is(lambda.values.handler, HOSTILE_LINES);
  // the alarm inside the CodeBuild role's policy, as IAM would receive it
  const policy = byType(trickyPlan, 'aws_iam_role_policy').find(
    (r) => r.address.includes('acme-hostile-qa') && r.values.name === 'lci-deploy',
  )!;
  const statements = (
    JSON.parse(policy.values.policy as string) as { Statement: { Sid: string; Resource: string | string[] }[] }
  ).Statement;
  assert.equal(
    statements.find((s) => s.Sid === 'WatchAlarms')!.Resource,
    `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${iamLiteral(HOSTILE_LINES)}`,
  );
  // nothing became an expression: no path of the machine, no extra resource
  const all = JSON.stringify(trickyPlanJson);
  assert.not.ok(all.includes(trickyTf.dir), 'path.cwd or path.module was evaluated');
  assert.is(byType(trickyPlan, 'aws_s3_bucket').length, 0, 'no resource was inserted');
});

tricky('the buildspec reads back exactly: the install commands, how lci runs, the cache path, the release gate', () => {
  const source = first<{ buildspec: string }>(projectOf('acme-fn1-qa').values.source);
  const spec = parseYaml(source.buildspec) as {
    phases: { install: { commands: string[] }; build: { commands: string[] } };
    cache: { paths: string[] };
  };
  assert.equal(spec.phases.install.commands, [HOSTILE, 'npm ci --no-audit --no-fund']);
  assert.equal(spec.phases.build.commands, [
    `npx --no-install lci ${HOSTILE} deploy "$LCI_FUNCTION" --env "$LCI_ENV" --config "$LCI_CONFIG" --source-version "\${LCI_SOURCE_COMMIT:-$CODEBUILD_RESOLVED_SOURCE_VERSION}" --strategy "$LCI_STRATEGY" --only-matching-ref --branch "$LCI_SOURCE_BRANCH" --yes`,
  ]);
  assert.equal(spec.cache.paths, [`${CONFIG_DIR}/.lci/cache/**/*`]);
});

tricky(
  "the pipeline passes the environment's strategy, the source branch and commit, and the Slack variable lambdas.yaml names",
  () => {
    assert.is(envVars('acme-fn1-qa').LCI_STRATEGY!.value, 'linear:25:1.5');
    assert.is(envVars('acme-fn1-prod-plan').LCI_STRATEGY!.value, 'canary:10:5', 'confirm: the plan holds it');
    const slack = envVars('acme-fn1-qa').ACME_SLACK_HOOK!;
    assert.equal([slack.type, slack.value], ['PARAMETER_STORE', '/acme/slack-webhook-url']);
    assert.is(
      envVars('acme-fn1-prod').ACME_SLACK_HOOK!.value,
      '/acme/slack-webhook-url',
      'the Apply build tells Slack',
    );
    assert.not.ok('ACME_SLACK_HOOK' in envVars('acme-fn1-prod-plan'), 'a plan releases nothing: no webhook');
    const sourceVariables = [
      { name: 'LCI_SOURCE_BRANCH', value: '#{SourceVariables.BranchName}', type: 'PLAINTEXT' },
      { name: 'LCI_SOURCE_COMMIT', value: '#{SourceVariables.CommitId}', type: 'PLAINTEXT' },
    ];
    for (const [pipeline, stage] of [
      ['acme-fn1-qa', 'Deploy'],
      ['acme-fn1-prod', 'Plan'],
    ] as const) {
      const stages = pipelineOf(pipeline).values.stage as Stage[];
      assert.is(stages[0]!.action[0]!.namespace, 'SourceVariables');
      const build = stages.find((st) => st.name === stage)!.action[0]!;
      assert.equal(JSON.parse(build.configuration.EnvironmentVariables!), sourceVariables, pipeline);
    }
  },
);

type Stage = {
  name: string;
  before_entry?: {
    condition: {
      result: string;
      rule: { rule_type_id: { provider: string }[]; configuration: Record<string, string> }[];
    }[];
  }[];
  action: {
    category: string;
    provider: string;
    namespace?: string;
    input_artifacts?: string[];
    output_artifacts?: string[];
    configuration: Record<string, string>;
  }[];
};

const stagesOf = (resources: PlannedResource[], name: string) =>
  byType(resources, 'aws_codepipeline').find((r) => r.values.name === name)!.values.stage as Stage[];

tricky(
  'confirm: true is Plan → Approve → Apply: the approval names the commit and the summary and links the plan; both skip a plan that writes nothing',
  () => {
    const names = (resources: PlannedResource[], p: string) => stagesOf(resources, p).map((st) => st.name);
    assert.equal(names(trickyPlan, 'acme-fn1-prod'), ['Source', 'Plan', 'Approve', 'Apply']);
    assert.equal(names(trickyPlan, 'acme-fn1-qa'), ['Source', 'Deploy'], 'without confirm, one build as before');
    assert.equal(names(trickyByEnv, 'acme-prod'), ['Source', 'Plan', 'Approve', 'Apply'], '--layout environment too');
    assert.equal(names(trickyByEnv, 'acme-qa'), ['Source', 'Plan', 'Apply']);
    for (const [resources, pipeline, subject] of [
      [trickyPlan, 'acme-fn1-prod', 'fn1 to prod'],
      [trickyByEnv, 'acme-prod', 'to prod'],
    ] as const) {
      const stages = stagesOf(resources, pipeline);
      const [plan, approve, apply] = [stages[1]!, stages[2]!, stages[3]!];
      const planArtifact = plan.action[0]!.output_artifacts![0]!;
      assert.match(planArtifact, /^p[0-9a-f]{9}$/);
      assert.is(plan.action[0]!.namespace, 'PlanVariables');
      const source = stages[0]!.action[0]!.output_artifacts![0]!;
      assert.equal(apply.action[0]!.input_artifacts, [source, planArtifact]);
      assert.is(apply.action[0]!.configuration.PrimarySource, source, 'lambdas.yaml of the planned commit');
      assert.equal([approve.action[0]!.category, approve.action[0]!.provider], ['Approval', 'Manual']);
      assert.is(
        approve.action[0]!.configuration.CustomData,
        `Release ${subject} at commit #{PlanVariables.LCI_PLAN_COMMIT}: #{PlanVariables.LCI_PLAN_SUMMARY}. The link opens the Plan build, whose log shows the plan function by function.`,
      );
      assert.is(approve.action[0]!.configuration.ExternalEntityLink, '#{PlanVariables.LCI_PLAN_LINK}');
      for (const st of [approve, apply]) {
        const condition = st.before_entry![0]!.condition[0]!;
        assert.is(condition.result, 'SKIP');
        assert.is(condition.rule[0]!.rule_type_id[0]!.provider, 'VariableCheck');
        assert.equal(condition.rule[0]!.configuration, {
          Variable: '#{PlanVariables.LCI_PLAN_WRITES}',
          Operator: 'EQ',
          Value: 'yes',
        });
      }
      const project = byType(resources, 'aws_codebuild_project').find((r) => r.values.name === `${pipeline}-plan`)!;
      const spec = parseYaml(first<{ buildspec: string }>(project.values.source).buildspec) as {
        env: { 'exported-variables': string[] };
        artifacts: { 'base-directory': string; files: string[] };
      };
      assert.equal(spec.env['exported-variables'], [
        'LCI_PLAN_COMMIT',
        'LCI_PLAN_WRITES',
        'LCI_PLAN_LINK',
        'LCI_PLAN_SUMMARY',
      ]);
      assert.equal(spec.artifacts, { 'base-directory': '.lci/plan', files: ['**/*'] });
    }
  },
);

/** Lambda actions that write. */
const LAMBDA_WRITES = /^lambda:(Update|Publish|CreateAlias|Delete|TagResource|UntagResource|Invoke)/;

tricky(
  'the plan role writes artifacts and no Lambda function; the apply role writes Lambda and no artifact, pruning deletes only',
  () => {
    for (const [resources, pipeline, fnArn] of [
      [trickyPlan, 'acme-fn1-prod', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-fn1`],
      [trickyByEnv, 'acme-prod', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:prod-*`],
    ] as const) {
      const plan = statementsOf(resources, pipeline, 'lci-plan');
      const apply = statementsOf(resources, pipeline);
      const actions = (sts: Statement[]) => sts.flatMap((st) => list(st.Action));
      assert.equal(
        actions(plan).filter((a) => LAMBDA_WRITES.test(a)),
        [],
        `${pipeline}: the plan role writes no Lambda`,
      );
      assert.ok(actions(plan).includes('lambda:GetFunction'));
      assert.ok(plan.some((st) => st.Sid === 'WriteFunctionArtifacts' && list(st.Action).includes('s3:PutObject')));
      const planArtifact = list(plan.find((st) => st.Sid === 'WritePlan')!.Resource);
      assert.equal(planArtifact.length, 1);
      assert.match(
        planArtifact[0]!,
        new RegExp(`^arn:aws:s3:::acme-artifacts/${pipeline.slice(0, 20)}/p[0-9a-f]{9}/\\*$`),
      );
      assert.not.ok(
        actions(apply).some((a) => a === 's3:PutObject' || a === 's3:AbortMultipartUpload' || a === 's3:*'),
        `${pipeline}: the apply role writes no artifact`,
      );
      assert.equal(
        apply.filter((st) => list(st.Action).some((a) => a.startsWith('s3:Delete'))).map((st) => [st.Sid, st.Action]),
        [['PruneArtifacts', 's3:DeleteObject']],
        "prune after release deletes pruned versions' objects: DeleteObject, nothing else",
      );
      const writes = apply.find((st) => list(st.Action).includes('lambda:UpdateFunctionCode'))!;
      assert.ok(list(writes.Resource).includes(fnArn), JSON.stringify(writes.Resource));
      for (const sts of [plan, apply])
        assert.ok(
          sts.some((st) => st.Sid === 'ReadArtifacts' && list(st.Resource).includes('arn:aws:s3:::acme-artifacts/*')),
          'both builds read the source, the plan and the artifacts',
        );
    }
    // Without confirm the one build does both, as before.
    const deploy = statementsOf(trickyPlan, 'acme-fn1-qa');
    assert.ok(deploy.some((st) => st.Sid === 'WriteFunctionArtifacts'));
    assert.ok(deploy.some((st) => list(st.Action).includes('lambda:UpdateFunctionCode')));
    assert.not.ok(
      byType(trickyPlan, 'aws_iam_role_policy').some(
        (r) => r.address.includes('acme-fn1-qa') && r.values.name === 'lci-plan',
      ),
    );
  },
);

tricky(
  'trigger paths: up to 8 in one push filter, up to 24 over 3 on the same branch, more is every push (with a warning)',
  () => {
    const dir = literalGlob(CONFIG_DIR);
    const one = pushes('acme-fn1-qa');
    assert.is(one.length, 1);
    assert.equal(first<{ includes: string[] }>(one[0]!.file_paths).includes, [
      `${dir}/lambdas.yaml`,
      `${dir}/libs/common/**`,
      `${dir}/services/fn1/**`,
    ]);
    const wide = pushes('acme-wide-qa');
    assert.is(wide.length, 2);
    const widePaths = wide.flatMap((p) => first<{ includes: string[] }>(p.file_paths).includes);
    assert.is(widePaths.length, 15);
    for (const w of WATCH_WIDE) assert.ok(widePaths.includes(`${dir}/${w}`), w);
    for (const p of wide) assert.equal(first<{ includes: string[] }>(p.branches).includes, [`main ${HOSTILE_LINES}`]);
    const huge = pushes('acme-huge-qa');
    assert.is(huge.length, 1);
    assert.is(huge[0]!.file_paths!.length, 0, 'every push');
    assert.match(
      generateStderr,
      /acme-huge-qa: 33 trigger paths exceed CodePipeline's limit of 24 \(3 push filters of 8\); the pipeline starts on every push/,
    );
    for (const p of trickyPlan
      .filter((r) => r.type === 'aws_codepipeline')
      .flatMap((r) => pushes(r.values.name as string)))
      for (const f of (p.file_paths ?? []) as { includes: string[] }[])
        for (const i of f.includes) assert.ok(i.length <= 255, i);
  },
);

tricky('excluded files start no pipeline; an included file under an excluded directory still does', () => {
  const dir = `${CONFIG_DIR}/services/hostile`;
  const filters = pushes('acme-hostile-qa').map((p) => {
    const paths = first<{ includes: string[]; excludes?: string[] | null }>(p.file_paths);
    return { includes: paths.includes, excludes: paths.excludes ?? [] };
  });
  assert.equal(filters[0]!.excludes.slice(0, 2), [`${literalGlob(dir)}/tests/**`, `${literalGlob(dir)}/docs/**`]);
  assert.equal(filters.at(-1), { includes: [`${literalGlob(dir)}/docs/keep.md`], excludes: [] });
  for (const [file, starts] of [
    [`${dir}/tests/test_app.py`, false],
    [`${dir}/docs/guide.md`, false],
    [`${dir}/docs/keep.md`, true],
    [`${dir}/index.js`, true],
  ] as const)
    assert.is(startsPipeline(filters, [file]), starts, file);
});

tricky(
  '--with-functions: both runtimes and architectures, per-environment overrides, the placeholder zip from lci',
  () => {
    const fns = Object.fromEntries(
      byType(trickyPlan, 'aws_lambda_function').map((r) => [r.values.function_name as string, r.values]),
    );
    assert.equal(fns['renamed-live']!.architectures, ['arm64']);
    assert.equal(fns['qa-renamed']!.architectures, ['x86_64']);
    assert.is(fns['qa-fn3']!.runtime, 'nodejs20.x');
    assert.is(fns['qa-fn1']!.runtime, 'python3.12');
    assert.is(fns['qa-fn1']!.filename, 'modules/function/placeholder.zip');
    assert.not.ok('prod-skipped' in fns);
  },
);

tricky(
  '--layout environment: hostile values read back from its buildspec, triggers and policies; more than 10 functions are one name pattern that reaches no other environment',
  () => {
    const specOf = (name: string) =>
      parseYaml(
        first<{ buildspec: string }>(
          byType(trickyByEnv, 'aws_codebuild_project').find((r) => r.values.name === name)!.values.source,
        ).buildspec,
      ) as {
        batch: { 'build-graph': unknown[] };
        phases: { install: { commands: string[] }; build: { commands: string[] } };
        cache: { paths: string[] };
      };
    const [plan, apply] = [specOf('acme-qa-plan'), specOf('acme-qa')];
    for (const spec of [plan, apply]) {
      assert.equal(spec.phases.install.commands, [HOSTILE, 'npm ci --no-audit --no-fund']);
      assert.equal(spec.cache.paths, [`${CONFIG_DIR}/.lci/cache/**/*`]);
    }
    assert.is(
      plan.phases.build.commands[1],
      `npx --no-install lci ${HOSTILE} deploy --affected --since deployed --env "$LCI_ENV" --config "$LCI_CONFIG" --source-version "\${LCI_SOURCE_COMMIT:-$CODEBUILD_RESOLVED_SOURCE_VERSION}" --strategy "$LCI_STRATEGY" --only-matching-ref --branch "$LCI_SOURCE_BRANCH" --plan-out .lci/plan/plan.json > .lci/plan/plan.txt; s=$?; cat .lci/plan/plan.txt; test $s -eq 0`,
    );
    assert.is(
      apply.phases.build.commands[1],
      `if [ -f "$LCI_PLAN_DIR/plan.json" ]; then npx --no-install lci ${HOSTILE} apply "$LCI_PLAN_DIR/plan.json" "$LCI_APPLY_PART" --config "$LCI_CONFIG" --yes; else cat "$LCI_PLAN_DIR/plan.txt"; fi`,
    );
    assert.is(apply.batch['build-graph'].length, 5, 'the layers build, and four shards by default');
    const pipeline = byType(trickyByEnv, 'aws_codepipeline').find((r) => r.values.name === 'acme-qa')!;
    const push = first<{
      git_configuration: { push: { branches: { includes: string[] }[]; file_paths: unknown[] }[] }[];
    }>(pipeline.values.trigger).git_configuration[0]!.push;
    assert.equal(push.length, 1);
    assert.equal(push[0]!.branches[0]!.includes, [`main ${HOSTILE_LINES}`]);
    assert.equal(push[0]!.file_paths, [], 'every push: lci deploy --affected decides');
    const statements = statementsOf(trickyByEnv, 'acme-qa');
    assert.equal(list(statements.find((st) => st.Sid === 'ReleaseFunctions')!.Resource).sort(), [
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:qa-*`,
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:qa-*:*`,
    ]);
    assert.equal(list(statements.find((st) => st.Sid === 'WatchAlarms')!.Resource), [
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${iamLiteral(HOSTILE_LINES)}`,
    ]);
    assert.not.ok(
      statements.some((st) => st.Sid.startsWith('Prune')),
      'qa does not prune',
    );
  },
);

tricky('prune: the roles of an environment that prunes may delete versions (qualified ARNs), never a function', () => {
  for (const statements of [statementsOf(trickyPlan, 'acme-fn1-prod'), statementsOf(trickyByEnv, 'acme-prod')]) {
    const deleting = statements.filter((st) => list(st.Action).includes('lambda:DeleteFunction'));
    assert.equal(
      deleting.map((st) => st.Sid),
      ['PruneVersions'],
    );
    for (const r of list(deleting[0]!.Resource))
      assert.match(r, /^arn:aws:lambda:eu-west-1:123456789012:function:[^:]+:\*$/);
    assert.ok(statements.some((st) => st.Sid === 'PruneArtifacts' && list(st.Action).join() === 's3:DeleteObject'));
  }
  assert.not.ok(
    statementsOf(trickyPlan, 'acme-fn1-qa').some((st) => st.Sid.startsWith('Prune')),
    'qa does not prune',
  );
});

tricky('shift marks: the roles may tag their functions only with lci:shifting:* keys, and read tags', () => {
  for (const statements of [statementsOf(trickyPlan, 'acme-fn1-qa'), statementsOf(trickyByEnv, 'acme-qa')]) {
    const mark = statements.find((st) => st.Sid === 'MarkShifts')!;
    assert.equal(list(mark.Action).sort(), ['lambda:TagResource', 'lambda:UntagResource']);
    assert.equal((mark as unknown as { Condition: unknown }).Condition, {
      'ForAllValues:StringLike': { 'aws:TagKeys': 'lci:shifting:*' },
    });
    for (const r of list(mark.Resource)) assert.match(r, /^arn:aws:lambda:eu-west-1:123456789012:function:[^:]+$/);
    assert.ok(list(statements.find((st) => st.Sid.startsWith('ReleaseFunction'))!.Action).includes('lambda:ListTags'));
  }
});

tricky.after(async () => {
  await sts.close();
});

example.run();
tricky.run();
