import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { connect, type AwsOptions } from '../aws/clients.js';
import { getAlias, sleep } from '../aws/lambda.js';
import { filterLogEvents, logGroupOf, type LogLine } from '../aws/logs.js';
import type { LoadedProject } from '../config/load.js';
import { selectTargets } from '../config/select.js';
import { UsageError } from '../errors.js';

export interface LogsOptions {
  name: string;
  env: string;
  /** Milliseconds back from now. */
  sinceMs: number;
  follow: boolean;
  /** A version, `all`, or undefined: the versions the alias serves (two while traffic shifts). */
  version: string | undefined;
  /** A CloudWatch Logs filter pattern. */
  filter: string | undefined;
  aws: AwsOptions;
  signal?: AbortSignal;
  /** How often --follow asks for new events. */
  pollMs?: number;
}

export interface LogsResult {
  name: string;
  env: string;
  awsName: string;
  logGroup: string;
  /** The versions shown; null: every version. */
  versions: string[] | null;
  /** Every event shown (also those already handed to `onEvents`). */
  events: LogLine[];
}

const POLL_MS = 2000;
/** CloudWatch Logs may ingest an event this long after its timestamp: each poll looks back that far (events seen are not repeated). */
const LATE_MS = 30_000;

/** lci logs: the function's log events since a moment, narrowed to versions; with follow, until Ctrl-C. */
export async function logs(
  loaded: LoadedProject,
  opts: LogsOptions,
  onEvents: (events: LogLine[]) => void,
): Promise<LogsResult> {
  const [r] = selectTargets(loaded.project, [opts.name], opts.env);
  const fn = r!;
  const aws = await connect(opts.aws, loaded.project.artifacts.region);
  let versions: string[] | null = null;
  if (opts.version === undefined) {
    const alias = await getAlias(aws.lambda, fn.functionName, fn.alias);
    if (!alias)
      throw new UsageError(`${fn.functionName} has no alias ${fn.alias}: pass --version N (or --version all)`);
    versions = [alias.version, ...Object.keys(alias.weights)];
  } else if (opts.version !== 'all') {
    versions = [opts.version];
  }
  const group = logGroupOf(fn.functionName);
  const events: LogLine[] = [];
  await tailLog(await aws.logs(), group, {
    versions,
    startTime: Date.now() - opts.sinceMs,
    filter: opts.filter,
    until: opts.follow ? Infinity : 0,
    signal: opts.signal,
    pollMs: opts.pollMs ?? POLL_MS,
    onEvents: (batch) => {
      events.push(...batch);
      onEvents(batch);
    },
  });
  return { name: fn.name, env: fn.env, awsName: fn.functionName, logGroup: group, versions, events };
}

export interface Tail {
  versions: string[] | null;
  startTime: number;
  filter?: string;
  /** Keep polling until this instant (Date.now() scale); 0: one read. Ctrl-C ends it sooner. */
  until: number;
  signal?: AbortSignal;
  pollMs: number;
  onEvents: (events: LogLine[]) => void;
}

/** Reads a log group once, or polls it until `until` or Ctrl-C, handing each new event over once, in order. */
export async function tailLog(client: CloudWatchLogsClient, group: string, t: Tail): Promise<void> {
  const seen = new Map<string, number>();
  let from = t.startTime;
  let newest = t.startTime;
  for (;;) {
    const batch = (await filterLogEvents(client, group, from, t.filter)).filter(
      (e) => !seen.has(e.id) && (t.versions === null || (e.version !== null && t.versions.includes(e.version))),
    );
    for (const e of batch) seen.set(e.id, e.timestamp);
    if (batch.length > 0) t.onEvents(batch);
    if (t.signal?.aborted || Date.now() >= t.until) return;
    await sleep(Math.min(t.pollMs, t.until - Date.now()), t.signal);
    if (t.signal?.aborted) return;
    for (const e of batch) newest = Math.max(newest, e.timestamp);
    from = Math.max(t.startTime, newest - LATE_MS);
    for (const [id, at] of seen) if (at < from) seen.delete(id);
  }
}

/** deploy --logs: each released version's log, side by side, for `durationMs` after the release (or until Ctrl-C). */
export async function tailReleased(
  aws: AwsOptions,
  region: string | null,
  released: { name: string; awsName: string; version: string }[],
  startTime: number,
  durationMs: number,
  onEvents: (name: string, events: LogLine[]) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (released.length === 0) return;
  const clients = await connect(aws, region);
  const client = await clients.logs();
  const until = Date.now() + durationMs;
  await Promise.all(
    released.map((f) =>
      tailLog(client, logGroupOf(f.awsName), {
        versions: [f.version],
        startTime,
        until,
        signal,
        pollMs: POLL_MS,
        onEvents: (batch) => onEvents(f.name, batch),
      }),
    ),
  );
}
