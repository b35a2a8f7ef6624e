import { CloudWatchStandin } from './cloudwatch-standin.js';
import { type LambdaRates, LambdaStandin } from './lambda-standin.js';
import { LogsStandin } from './logs-standin.js';
import { awsEnv, type S3Endpoint, S3Server } from './s3.js';

export interface WorldOptions {
  updateDelayMs?: number;
  /** The S3 to use (s3rver by default; MotoS3 for a versioned bucket). */
  s3?: S3Endpoint;
  /** Lambda's request quotas (throttling with 429 above them); none by default. */
  rates?: LambdaRates;
  /** The region's code storage limit in bytes (AWS: 75 GB). */
  totalCodeSize?: number;
}

/**
 * The AWS an lci child process talks to in tests: a real S3 server, the Lambda, CloudWatch and
 * CloudWatch Logs stand-ins. What an invocation logs reaches the Logs stand-in under Lambda's
 * group and stream names, as Lambda sends it to CloudWatch Logs.
 */
export class AwsWorld {
  private constructor(
    readonly s3: S3Endpoint,
    readonly lambda: LambdaStandin,
    readonly cloudwatch: CloudWatchStandin,
    readonly logs: LogsStandin,
    private readonly ownsS3: boolean,
  ) {}

  /** `s3` shares one S3 server between worlds (its objects, such as built layers, outlive a world). */
  static async start(opts: WorldOptions = {}): Promise<AwsWorld> {
    const s3 = opts.s3 ?? (await S3Server.start());
    const owned = !opts.s3;
    const logs = await LogsStandin.start();
    const lambda = await LambdaStandin.start({
      s3Endpoint: s3.endpoint,
      updateDelayMs: opts.updateDelayMs ?? 0,
      rates: opts.rates,
      totalCodeSize: opts.totalCodeSize,
      onLog: (group, stream, events) => logs.putEvents(group, stream, events),
    });
    const cloudwatch = await CloudWatchStandin.start();
    return new AwsWorld(s3, lambda, cloudwatch, logs, owned);
  }

  /** Starts a world, runs the test body in it, and always closes it. */
  static async with(body: (world: AwsWorld) => Promise<void>, opts: WorldOptions = {}): Promise<void> {
    const world = await AwsWorld.start(opts);
    try {
      await body(world);
    } finally {
      await world.close();
    }
  }

  /** Environment for `lci` so the unmodified SDK reaches these servers. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return awsEnv(this.s3, this.lambda.endpoint, {
      AWS_ENDPOINT_URL_CLOUDWATCH: this.cloudwatch.endpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: this.logs.endpoint,
      AWS_MAX_ATTEMPTS: '2',
      ...extra,
    });
  }

  /** Mutating Lambda calls logged so far (successful or not). */
  mutations(): string[] {
    return this.lambda.log.filter((l) => /^(Create|Update|Publish)/.test(l.operation)).map((l) => l.operation);
  }

  async close(): Promise<void> {
    await Promise.all([
      this.ownsS3 ? this.s3.close() : null,
      this.lambda.close(),
      this.cloudwatch.close(),
      this.logs.close(),
    ]);
  }
}
