import { join } from 'node:path';
import type { AwsClients } from '../aws/clients.js';
import type { Workspace } from '../build/build.js';
import type { LoadedProject } from '../config/load.js';
import { UsageError } from '../errors.js';
import type { Options } from './command.js';

/** Flags and helpers several commands share. */

export const AWS_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const satisfies Options;

export const AWS_HELP: [string, string][] = [
  ['--profile P', 'AWS profile (default: the SDK credential chain)'],
  ['--region R', 'AWS region (default: artifacts.region, then the SDK chain)'],
  ['--endpoint-url URL', 'one endpoint for S3, Lambda and CloudWatch (emulators); AWS_ENDPOINT_URL_* work too'],
];

export interface AwsValues {
  profile?: string;
  region?: string;
  'endpoint-url'?: string;
}

/** SDK clients for the command's flags; a region nobody set is a usage error that says where to set it. */
export async function clientsFor(values: AwsValues, env: NodeJS.ProcessEnv, configuredRegion: string | null): Promise<AwsClients> {
  const { awsClients } = await import('../aws/clients.js');
  return awsClients({ region: values.region, profile: values.profile, endpointUrl: values['endpoint-url'], env }, configuredRegion).catch((e: Error) => {
    throw new UsageError(`AWS: ${e.message}; set artifacts.region in lambdas.yaml, --region, or AWS_REGION`);
  });
}

/** The named functions, narrowed (or, without names, chosen) by `lci plan` when --affected. Null: nothing is affected. */
export async function selectNames(
  names: string[],
  affected: boolean | undefined,
  plan: { cwd: string; config?: string; base?: string; head?: string; env?: string; environ: NodeJS.ProcessEnv },
): Promise<string[] | null> {
  if (!affected) return names;
  const [{ plan: runPlan }, { affectedNames }] = await Promise.all([import('../plan/plan.js'), import('../plan/report.js')]);
  const found = new Set(affectedNames(await runPlan(plan)));
  const selected = names.length > 0 ? names.filter((n) => found.has(n)) : [...found];
  return selected.length > 0 ? selected : null;
}

export function workspaceOf(loaded: LoadedProject): Workspace {
  return { root: loaded.root, configDirInRepo: loaded.configDirInRepo, stateDir: join(loaded.project.dir, '.lci') };
}
