import type { AwsOptions } from '../aws/clients.js';
import { parseRates } from '../aws/request-budget.js';
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
  [
    '--endpoint-url URL',
    'one endpoint for every AWS service the command calls (emulators); AWS_ENDPOINT_URL_* work too',
  ],
];

/** The AWS flags of commands that call Lambda: the same, and how much of its request quotas to spend. */
export const LAMBDA_OPTIONS = { ...AWS_OPTIONS, rate: { type: 'string' } } as const satisfies Options;

export const LAMBDA_HELP: [string, string][] = [
  [
    '--rate R[,G]',
    "Lambda requests per second this run may spend of the account's shared 15/s budget (R) and of GetFunction's 100/s (G, default the same share); default all of it, 1/N with --shard i/N; LCI_LAMBDA_RATE too",
  ],
  ...AWS_HELP,
];

export interface AwsValues {
  profile?: string;
  region?: string;
  'endpoint-url'?: string;
  rate?: string;
}

/** `share`: the part of the quotas this run takes when no rate is given (1/N for a shard of N). */
export function awsOptions(values: AwsValues, env: NodeJS.ProcessEnv, share = 1): AwsOptions {
  const rate = values.rate ?? env.LCI_LAMBDA_RATE;
  return {
    region: values.region,
    profile: values.profile,
    endpointUrl: values['endpoint-url'],
    env,
    rates: parseRates(rate, share, values.rate !== undefined ? '--rate' : 'LCI_LAMBDA_RATE'),
  };
}
