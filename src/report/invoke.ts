import type { InvokeResult } from '../invoke/invoke.js';
import { jsonDocument } from './json.js';

/** What ran: `alpha-qa:qa (version 3)`, `alpha-qa version 3`, or `alpha (local, app.handler)`. */
export function invokedWhat(r: InvokeResult): string {
  if (r.local) return `${r.name} (local build, ${r.handler})`;
  return r.alias ? `${r.awsName}:${r.alias} (version ${r.version ?? '?'})` : `${r.awsName} version ${r.version ?? '?'}`;
}

/** stdout: the response as the function returned it, so it pipes into jq. */
export function invokeText(r: InvokeResult): string {
  return r.payload.toString('utf8');
}

/** stderr: the log (Lambda's decoded tail remotely), then the function error when there is one. */
export function invokeLog(r: InvokeResult): string[] {
  const log = r.log.trimEnd();
  return [`--- ${r.local ? 'log' : 'log tail'} of ${invokedWhat(r)} ---`, ...(log ? log.split('\n') : ['(empty)'])];
}

export function invokeJson(r: InvokeResult): string {
  const text = r.payload.toString('utf8');
  let response: unknown = text;
  try {
    response = JSON.parse(text);
  } catch {
    // not JSON: kept as the text it is
  }
  return jsonDocument('invoke', {
    name: r.name,
    awsName: r.awsName,
    env: r.env,
    alias: r.alias,
    local: r.local,
    version: r.version,
    ...(r.local ? { handler: r.handler } : {}),
    status: r.functionError ? 'FUNCTION_ERROR' : 'OK',
    functionError: r.functionError,
    response,
    log: r.log,
  });
}
