import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from './http-server.js';

/**
 * An offline stand-in for CloudWatch alarms, for tests: DescribeAlarms for the unmodified
 * @aws-sdk/client-cloudwatch, which speaks AWS JSON 1.0 (POST /, X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>) in awsQueryCompatible mode. Alarms are set by the test.
 */

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface CloudWatchLogEntry {
  operation: string;
  method: string;
  path: string;
  status: number;
  at: number;
}

interface Alarm {
  name: string;
  state: AlarmState;
  reason: string;
  updatedAt: number;
  configuredAt: number;
}

interface DescribeAlarmsInput {
  AlarmNames?: string[];
  AlarmNamePrefix?: string;
  AlarmTypes?: string[];
  StateValue?: string;
  MaxRecords?: number;
  NextToken?: string;
}

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

class CloudWatchError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class CloudWatchStandin {
  endpoint = '';
  readonly log: CloudWatchLogEntry[] = [];
  private readonly alarms = new Map<string, Alarm>();
  private readonly server: Server;

  private constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: { region?: string; accountId?: string } = {}): Promise<CloudWatchStandin> {
    const standin = new CloudWatchStandin(opts.region ?? 'eu-west-1', opts.accountId ?? '123456789012');
    standin.endpoint = await listenLocal(standin.server);
    return standin;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  /** Creates the metric alarm or moves it to `state`; StateUpdatedTimestamp changes only when the state does. */
  setAlarm(name: string, state: AlarmState, reason = `Set to ${state} by the test`): void {
    const now = Date.now();
    const existing = this.alarms.get(name);
    const updatedAt = existing && existing.state === state ? existing.updatedAt : now;
    this.alarms.set(name, { name, state, reason, updatedAt, configuredAt: existing?.configuredAt ?? now });
  }

  clearLog(): void {
    this.log.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
    const entry: CloudWatchLogEntry = {
      operation,
      method: req.method ?? '',
      path: req.url ?? '/',
      status: 0,
      at: Date.now(),
    };
    let status = 200;
    let body: unknown;
    const headers: Record<string, string> = {};
    try {
      const input = parse(await readBody(req));
      if (req.method !== 'POST' || operation !== 'DescribeAlarms')
        throw new CloudWatchError(400, 'InvalidAction', `Operation ${operation} is not supported by the stand-in`);
      body = this.describeAlarms(input as DescribeAlarmsInput);
    } catch (e) {
      const err = e instanceof CloudWatchError ? e : new CloudWatchError(500, 'InternalServiceError', String(e));
      status = err.status;
      // awsQueryCompatible clients read the query-protocol code from x-amzn-query-error.
      headers['x-amzn-query-error'] = `${err.code};${err.status < 500 ? 'Sender' : 'Receiver'}`;
      body = { __type: `com.amazonaws.cloudwatch#${err.code}`, message: err.message };
    }
    const payload = Buffer.from(JSON.stringify(body));
    entry.status = status;
    this.log.push(entry);
    res.writeHead(status, {
      'content-type': CONTENT_TYPE,
      'content-length': String(payload.length),
      'x-amzn-requestid': randomUUID(),
      ...headers,
    });
    res.end(payload);
  }

  private describeAlarms(input: DescribeAlarmsInput) {
    if (input.AlarmNames && input.AlarmNamePrefix) {
      throw new CloudWatchError(
        400,
        'InvalidParameterCombination',
        'AlarmNames and AlarmNamePrefix cannot be specified together',
      );
    }
    // Without AlarmTypes only metric alarms are returned, and every alarm here is a metric alarm.
    if (input.AlarmTypes && !input.AlarmTypes.includes('MetricAlarm')) return { MetricAlarms: [], CompositeAlarms: [] };
    const alarms = [...this.alarms.values()]
      .filter((a) => !input.AlarmNames || input.AlarmNames.includes(a.name))
      .filter((a) => !input.AlarmNamePrefix || a.name.startsWith(input.AlarmNamePrefix))
      .filter((a) => !input.StateValue || a.state === input.StateValue)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const start = Number(input.NextToken ?? 0) || 0;
    const max = input.MaxRecords ?? 50;
    const page = alarms.slice(start, start + max);
    return {
      MetricAlarms: page.map((a) => this.metricAlarm(a)),
      ...(start + max < alarms.length ? { NextToken: String(start + max) } : {}),
    };
  }

  /** Timestamps are epoch seconds, as AWS JSON 1.0 sends them. */
  private metricAlarm(a: Alarm) {
    return {
      AlarmName: a.name,
      AlarmArn: `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${a.name}`,
      AlarmConfigurationUpdatedTimestamp: a.configuredAt / 1000,
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: a.state,
      StateReason: a.reason,
      StateUpdatedTimestamp: a.updatedAt / 1000,
      StateTransitionedTimestamp: a.updatedAt / 1000,
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Dimensions: [],
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function parse(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CloudWatchError(400, 'SerializationException', 'Could not parse the request body as JSON');
  }
}
