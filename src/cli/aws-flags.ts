import type { AwsOptions } from '../aws/clients.js';
import { ratesFor, type RequestedRates } from '../aws/request-budget.js';
import { UsageError } from '../errors.js';
import type { Options } from './command.js';
import { decimal } from './numbers.js';

/**
 * Below one request every 10 s a run of a few functions takes minutes of silence (a default shard
 * of 100 gets 0.15/s); above 100,000/s there is no quota to spend (emulators, benchmarks).
 */
export const MIN_RATE = 0.1;
export const MAX_RATE = 100_000;

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
    `Lambda requests per second this run may spend of the account's shared 15/s budget (R) and of GetFunction's 100/s (G, default the same share), each ${MIN_RATE} to ${MAX_RATE}; default all of it, 1/N with --shard i/N; LCI_LAMBDA_RATE too`,
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
    rates: ratesFor(
      rate === undefined || rate === ''
        ? undefined
        : parseRate(values.rate !== undefined ? '--rate' : 'LCI_LAMBDA_RATE', rate),
      share,
    ),
  };
}

/** `R` or `R,G`: requests per second of the 15/s budget, then optionally of GetFunction's 100/s. */
export function parseRate(source: string, text: string): RequestedRates {
  const parts = text.split(',');
  const numbers = parts.map((p) => decimal(p.trim()));
  if (parts.length > 2 || numbers.some((n) => n === null || n < MIN_RATE || n > MAX_RATE))
    throw new UsageError(
      `${source} ${text}: give the requests per second of Lambda's shared 15/s budget, optionally then of GetFunction's 100/s, each from ${MIN_RATE} to ${MAX_RATE} in decimal digits (e.g. 7.5 or 7.5,50)`,
    );
  return { controlPlane: numbers[0]!, ...(numbers[1] != null ? { getFunction: numbers[1] } : {}) };
}
