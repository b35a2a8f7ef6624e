import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { lci } from './cli.js';
import type { GitRepo } from './git-repo.js';
import { TerraformDir, type PlanJson, type PlannedResource } from './terraform.js';

/** The account and region every generated-Terraform test plans for (STS answers with the account). */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const CONNECTION = `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`;

/** The module the environment layout is planned as, beside the default layout's root. */
export const BY_ENV = 'module.by_environment.';

/**
 * Both layouts of a project in one Terraform directory: the default layout's root, and the
 * environment layout's root (generated with `envArgs`) as its module by_environment, given the
 * same variables. `generate` sees what each `lci generate` printed.
 */
export async function generated(
  repo: GitRepo,
  configDir: string,
  envArgs: string[],
  printed: (stderr: string) => void = () => {},
): Promise<TerraformDir> {
  const cwd = join(repo.dir, configDir);
  const r = lci(['generate', '--with-functions'], { cwd });
  assert.is(r.code, 0, r.stderr);
  const byEnv = lci(['generate', '--with-functions', '--layout', 'environment', '--out', 'infra/by-env', ...envArgs], {
    cwd,
  });
  assert.is(byEnv.code, 0, byEnv.stderr);
  printed(r.stderr + byEnv.stderr);
  const tf = TerraformDir.copyOf(join(cwd, 'infra/lambda-ci'));
  cpSync(join(cwd, 'infra/by-env'), join(tf.dir, 'by-env'), { recursive: true });
  const passed = [
    'codestar_connection_arn',
    'repository_id',
    'lambda_execution_role_arn',
    'tags',
    'slack_webhook_url',
    'chatbot_info_channel_arn',
    'chatbot_alert_channel_arn',
  ];
  const width = Math.max(...passed.map((v) => v.length));
  writeFileSync(
    join(tf.dir, 'lci_test_layouts.tf'),
    `module "by_environment" {\n  source = "./by-env"\n\n${passed.map((v) => `  ${v.padEnd(width)} = var.${v}`).join('\n')}\n}\n`,
  );
  return tf;
}

/** fmt -check, init, validate, then plan against the STS stand-in at `stsEndpoint`: the plan as JSON. */
export async function checkedAndPlanned(
  tf: TerraformDir,
  stsEndpoint: string,
  extraVars: Record<string, unknown> = {},
): Promise<PlanJson> {
  const fmt = await tf.run(['fmt', '-check', '-recursive', '-diff']);
  assert.is(fmt.code, 0, `terraform fmt -check:\n${fmt.stdout}${fmt.stderr}`);
  await tf.init();
  await tf.ok(['validate']);
  tf.writeTestProvider(stsEndpoint, REGION);
  return tf.plan({
    codestar_connection_arn: CONNECTION,
    repository_id: 'acme/monorepo',
    lambda_execution_role_arn: `arn:aws:iam::${ACCOUNT}:role/lambda-exec`,
    tags: { team: 'payments' },
    ...extraVars,
  });
}

export const byType = (resources: PlannedResource[], type: string) => resources.filter((r) => r.type === type);
export const defaultLayout = (resources: PlannedResource[]) => resources.filter((r) => !r.address.startsWith(BY_ENV));
export const environmentLayout = (resources: PlannedResource[]) =>
  resources.filter((r) => r.address.startsWith(BY_ENV));

export interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
}

/** The statements of a role's inline policy (lci-deploy: the CodeBuild role; lci-pipeline: CodePipeline's), as IAM would receive them. */
export function statementsOf(resources: PlannedResource[], role: string, policy = 'lci-deploy'): Statement[] {
  const doc = byType(resources, 'aws_iam_role_policy').find(
    (r) => r.address.includes(`["${role}"]`) && r.values.name === policy,
  )!;
  if (doc.values.policy === undefined) throw new Error(`${doc.address}: its policy is known only after apply`);
  return (JSON.parse(doc.values.policy as string) as { Statement: Statement[] }).Statement;
}

export const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
