import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from './tmp.js';

/**
 * The real Terraform CLI on a copy of generated files, offline: providers come from a local
 * filesystem mirror (LCI_TF_PLUGIN_MIRROR, default /opt/tf-plugins, the directory that holds
 * registry.terraform.io/), no registry is ever asked, and the aws provider talks only to
 * 127.0.0.1. Tests that need Terraform fail, never skip, when it or the mirror is missing.
 */

export const PLUGIN_MIRROR = process.env.LCI_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';

export interface TfResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Throws (the test fails) when terraform or the provider mirror is missing. */
export function requireTerraform(): void {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8', env: terraformEnv() });
  if (r.error || r.status !== 0)
    throw new Error(
      `terraform is not on PATH (${r.error?.message ?? r.stderr}); these tests need the real Terraform CLI`,
    );
  if (!existsSync(join(PLUGIN_MIRROR, 'registry.terraform.io', 'hashicorp', 'aws')))
    throw new Error(
      `no hashicorp/aws provider under ${PLUGIN_MIRROR}/registry.terraform.io (set LCI_TF_PLUGIN_MIRROR to the mirror root)`,
    );
}

let cliConfig: string | undefined;

/** One CLI config for every run: the mirror only, and one plugin cache so init links instead of copying. */
function cliConfigFile(): string {
  if (cliConfig) return cliConfig;
  const cache = join(tmpdir(), 'lci-test-terraform-plugin-cache');
  mkdirSync(cache, { recursive: true });
  cliConfig = join(tempDir('lci-tfrc-'), 'terraformrc');
  writeFileSync(
    cliConfig,
    `plugin_cache_dir = ${JSON.stringify(cache)}
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(PLUGIN_MIRROR)}
    include = ["registry.terraform.io/*/*"]
  }
}
`,
  );
  return cliConfig;
}

/** The environment terraform runs with: our CLI config, no checkpoint calls, no AWS settings of the machine. */
function terraformEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|TF_|FORCE_COLOR$)/.test(k)) env[k] = v;
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig ?? '',
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    NO_COLOR: '1',
  };
}

export class TerraformDir {
  private constructor(readonly dir: string) {}

  /** A copy of the generated files, so nothing Terraform writes (.terraform, plans) lands in the test's repository. */
  static copyOf(generatedDir: string): TerraformDir {
    const dir = tempDir('lci-tf-');
    cpSync(generatedDir, dir, { recursive: true });
    cliConfigFile();
    return new TerraformDir(dir);
  }

  /** Runs terraform without blocking this process (the stand-ins it calls live here). */
  run(args: string[]): Promise<TfResult> {
    const [command, ...rest] = args;
    const child = spawn(
      'terraform',
      [command!, ...(['fmt', 'providers', 'version'].includes(command!) ? [] : ['-no-color']), ...rest],
      {
        cwd: this.dir,
        env: terraformEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  /** Runs and throws with terraform's own words when it fails. */
  async ok(args: string[]): Promise<TfResult> {
    const r = await this.run(args);
    if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.code}:\n${r.stderr || r.stdout}`);
    return r;
  }

  init(): Promise<TfResult> {
    return this.ok(['init', '-backend=false', '-input=false']);
  }

  /**
   * A provider configuration for tests only, in a file of its own beside the generated ones: the
   * generated Terraform has no provider block (users bring theirs), so nothing test-only is in it.
   */
  writeTestProvider(endpoint: string, region: string): void {
    const services = [
      'sts',
      'iam',
      's3',
      'ssm',
      'codebuild',
      'codepipeline',
      'lambda',
      'logs',
      'codestarnotifications',
    ];
    writeFileSync(
      join(this.dir, 'lci_test_provider.tf'),
      `provider "aws" {
  region                      = "${region}"
  access_key                  = "lci-test"
  secret_key                  = "lci-test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
${services.map((s) => `    ${s} = "${endpoint}"`).join('\n')}
  }
}
`,
    );
  }

  /** plan -out, then the plan as JSON (terraform show -json). */
  async plan(vars: Record<string, unknown>): Promise<PlanJson> {
    writeFileSync(join(this.dir, 'lci_test.tfvars.json'), JSON.stringify(vars));
    await this.ok(['plan', '-input=false', '-lock=false', '-var-file=lci_test.tfvars.json', '-out=lci_test.plan']);
    const shown = await this.ok(['show', '-json', 'lci_test.plan']);
    return JSON.parse(shown.stdout) as PlanJson;
  }
}

export interface PlannedResource {
  address: string;
  type: string;
  name: string;
  mode: 'managed' | 'data';
  values: Record<string, unknown>;
}

interface PlannedModule {
  resources?: PlannedResource[];
  child_modules?: PlannedModule[];
}

export interface PlanJson {
  planned_values: { root_module: PlannedModule };
  [key: string]: unknown;
}

/** Every planned managed resource, child modules included. */
export function plannedResources(plan: PlanJson): PlannedResource[] {
  const out: PlannedResource[] = [];
  const walk = (m: PlannedModule) => {
    for (const r of m.resources ?? []) if (r.mode === 'managed') out.push(r);
    for (const c of m.child_modules ?? []) walk(c);
  };
  walk(plan.planned_values.root_module);
  return out;
}
