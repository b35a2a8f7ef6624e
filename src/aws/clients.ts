import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { LciError, UsageError } from '../errors.js';
import { explainAnswers } from './answers.js';
import { resolveCredentials } from './credentials.js';
import { applyBudget, BudgetMeter, LAMBDA_QUOTAS, sharedBudget, type Rates } from './request-budget.js';
import { cloudWatchSdk, codePipelineSdk, lambdaSdk, logsSdk, s3Sdk } from './sdk.js';

// lci pins an SDK that runs on Node 20; the SDK's own notice about future versions is noise on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface AwsOptions {
  region?: string;
  profile?: string;
  /** --endpoint-url: one endpoint for every service (LocalStack-style emulators). */
  endpointUrl?: string;
  env: NodeJS.ProcessEnv;
  /** What this run may spend of Lambda's request quotas (default: all of them; see request-budget.ts). */
  rates?: Rates;
}

export interface AwsClients {
  /** Made (and its SDK loaded) at the first call: a deploy where nothing changed never needs S3. */
  s3: () => Promise<S3Client>;
  lambda: LambdaClient;
  /** Its SDK is loaded at its first request (only traffic shifts with alarms make one). */
  cloudwatch: CloudWatchClient;
  /** CloudWatch Logs, loaded on first use: only lci logs and deploy --logs read logs. */
  logs: () => Promise<CloudWatchLogsClient>;
  region: string;
  /** What the Lambda client spent of the request budget so far. */
  budget: BudgetMeter;
  /** The account the credentials belong to, when their provider says (SSO, an assumed role, AWS_ACCOUNT_ID). */
  accountId: string | null;
}

/**
 * SDK v3 clients with the standard credential chain. The SDK itself honours AWS_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH and
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS; --endpoint-url overrides all of them.
 * With any custom endpoint, S3 uses path-style addressing and checksums only where required,
 * which is what S3-compatible servers understand.
 */
export async function awsClients(opts: AwsOptions, configuredRegion: string | null): Promise<AwsClients> {
  const custom = Boolean(opts.endpointUrl || opts.env.AWS_ENDPOINT_URL || opts.env.AWS_ENDPOINT_URL_S3);
  const common = {
    ...(opts.region || configuredRegion ? { region: opts.region ?? configuredRegion! } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
  };
  const lambda = new (lambdaSdk().LambdaClient)(common);
  explainAnswers(lambda);
  // Resolved once for the whole run, before any work; every client shares the provider (and its cache).
  const credentials = lambda.config.credentials;
  const region = await lambda.config.region();
  const identity = await resolveCredentials(credentials, opts.env, opts.profile ?? opts.env.AWS_PROFILE);
  const shared = { ...common, credentials };
  const s3 = once(async () => {
    const { S3Client } = s3Sdk();
    return answered(
      new S3Client({
        ...shared,
        ...(custom
          ? {
              forcePathStyle: true,
              requestChecksumCalculation: 'WHEN_REQUIRED' as const,
              responseChecksumValidation: 'WHEN_REQUIRED' as const,
            }
          : {}),
      }),
    );
  });
  const cloudwatchClient = once(async () => answered(new (cloudWatchSdk().CloudWatchClient)(shared)));
  // Only send is ever called on it (aws/alarms.ts); the client behind it is made at the first call.
  const cloudwatch = {
    send: async (command: never) => (await cloudwatchClient()).send(command),
  } as unknown as CloudWatchClient;
  const endpoint = opts.endpointUrl ?? opts.env.AWS_ENDPOINT_URL_LAMBDA ?? opts.env.AWS_ENDPOINT_URL ?? '';
  const budget = new BudgetMeter(
    sharedBudget(`${region}|${endpoint}|${opts.profile ?? ''}`, opts.rates ?? LAMBDA_QUOTAS),
  );
  applyBudget(lambda, budget);
  const logs = once(async () => answered(new (logsSdk().CloudWatchLogsClient)(shared)));
  return { s3, lambda, cloudwatch, logs, region, budget, accountId: identity.accountId ?? null };
}

function answered<T extends Parameters<typeof explainAnswers>[0]>(client: T): T {
  explainAnswers(client);
  return client;
}

function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => {
    made ??= make();
    return made;
  };
}

/** The clients, where a region nobody set is a usage error that says where to set it. */
export function connect(opts: AwsOptions, configuredRegion: string | null): Promise<AwsClients> {
  return awsClients(opts, configuredRegion).catch((e: Error) => {
    if (e instanceof LciError) throw e;
    throw new UsageError(`AWS: ${e.message}; set artifacts.region in lambdas.yaml, --region, or AWS_REGION`);
  });
}

/**
 * A CodePipeline client (lci pipelines), loaded only when asked for: no other command pays for
 * the package. The SDK honours AWS_ENDPOINT_URL_CODEPIPELINE; --endpoint-url overrides it.
 */
export async function codePipelineClient(
  opts: AwsOptions,
  configuredRegion: string | null,
): Promise<{ client: CodePipelineClient; region: string }> {
  const { CodePipelineClient } = codePipelineSdk();
  const client = new CodePipelineClient({
    ...(opts.region || configuredRegion ? { region: opts.region ?? configuredRegion! } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.endpointUrl ? { endpoint: opts.endpointUrl } : {}),
  });
  explainAnswers(client);
  let region: string;
  try {
    region = await client.config.region();
  } catch (e) {
    throw new UsageError(`AWS: ${(e as Error).message}; set artifacts.region in lambdas.yaml, --region, or AWS_REGION`);
  }
  await resolveCredentials(client.config.credentials, opts.env, opts.profile ?? opts.env.AWS_PROFILE);
  return { client, region };
}
