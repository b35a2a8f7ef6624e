import type { AwsOptions } from '../aws/clients.js';
import type { Options } from './command.js';

/** The AWS flags of every command that talks to AWS. */
export const AWS_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const satisfies Options;

export const AWS_HELP: [string, string][] = [
  ['--profile P', 'AWS profile (default: the SDK credential chain)'],
  ['--region R', 'AWS region (default: artifacts.region, then the SDK chain)'],
  ['--endpoint-url URL', 'one endpoint for every AWS service the command calls (emulators); AWS_ENDPOINT_URL_* work too'],
];

export interface AwsValues {
  profile?: string;
  region?: string;
  'endpoint-url'?: string;
}

export function awsOptions(values: AwsValues, env: NodeJS.ProcessEnv): AwsOptions {
  return { region: values.region, profile: values.profile, endpointUrl: values['endpoint-url'], env };
}
