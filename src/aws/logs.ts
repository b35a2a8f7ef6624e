import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { explain, errorName } from './lambda.js';
import { logsSdk } from './sdk.js';

/** The CloudWatch Logs edge: a function's log events, each with the version that wrote it. */

export interface LogLine {
  timestamp: number;
  message: string;
  stream: string;
  /** The version in the stream's name (`2026/01/31/[3]0a1b…`: 3), or null for a stream Lambda did not name. */
  version: string | null;
  id: string;
}

/** Lambda names each execution environment's stream `YYYY/MM/DD/[VERSION]<32 hex>`; the version is `$LATEST` or a number. */
export function versionOfStream(stream: string): string | null {
  return /^\d{4}\/\d{2}\/\d{2}\/\[([^\]]+)\][0-9a-f]+$/.exec(stream)?.[1] ?? null;
}

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * Every event of the group from `startTime` on (all pages), matching `filterPattern` when given.
 * A group that does not exist yet (the function never ran) has no events.
 */
export async function filterLogEvents(
  logs: CloudWatchLogsClient,
  group: string,
  startTime: number,
  filterPattern?: string,
): Promise<LogLine[]> {
  // Loaded here, not at start: every deploy imports this module, and only --logs and lci logs read logs.
  const { FilterLogEventsCommand } = logsSdk();
  const out: LogLine[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const r = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          startTime,
          ...(filterPattern ? { filterPattern } : {}),
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const e of r.events ?? []) {
        const stream = e.logStreamName ?? '';
        out.push({
          timestamp: e.timestamp ?? 0,
          message: (e.message ?? '').replace(/\n$/, ''),
          stream,
          version: versionOfStream(stream),
          id: e.eventId ?? '',
        });
      }
      nextToken = r.nextToken;
    } while (nextToken);
  } catch (e) {
    if (errorName(e) === 'ResourceNotFoundException') return [];
    throw explain(e, `reading log group ${group}`);
  }
  return out;
}
