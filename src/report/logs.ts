import type { LogLine } from '../aws/logs.js';
import type { LogsResult } from '../logs/logs.js';
import { jsonDocument } from './json.js';

/** One event per line: time, [version], message (a message's own line breaks stay). */
export function logLines(events: LogLine[], prefix = ''): string[] {
  return events.map((e) => `${prefix}${new Date(e.timestamp).toISOString()} [${e.version ?? '?'}] ${e.message}`);
}

export function logsJson(r: LogsResult): string {
  return jsonDocument('logs', {
    name: r.name,
    awsName: r.awsName,
    env: r.env,
    logGroup: r.logGroup,
    versions: r.versions,
    events: r.events.map(eventJson),
  });
}

/** --follow --json: one document per event, one per line (JSON Lines), as they arrive. */
export function logEventJsonLine(e: LogLine): string {
  return JSON.stringify({ schemaVersion: 1, command: 'logs', event: eventJson(e) });
}

function eventJson(e: LogLine) {
  return {
    timestamp: e.timestamp,
    time: new Date(e.timestamp).toISOString(),
    version: e.version,
    stream: e.stream,
    message: e.message,
  };
}
