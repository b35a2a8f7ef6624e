import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSdk } from './sdk.js';
import { explain } from './lambda.js';

/** What one synchronous invocation gave back, as Lambda reports it. */
export interface Invocation {
  /** The version that ran (X-Amz-Executed-Version): the alias's, or the one asked for. */
  executedVersion: string | null;
  /** Unhandled or Handled when the function failed (X-Amz-Function-Error); null when it returned. */
  functionError: string | null;
  payload: Buffer;
  /** The last 4 KB of the invocation's log (X-Amz-Log-Result, LogType Tail), decoded. */
  logTail: string;
}

/** Invokes a qualified function (a version or an alias) and waits for its response, with the log tail. */
export async function invokeFunction(
  lambda: LambdaClient,
  functionName: string,
  qualifier: string,
  payload: Buffer,
): Promise<Invocation> {
  try {
    const r = await lambda.send(
      new (lambdaSdk().InvokeCommand)({
        FunctionName: functionName,
        Qualifier: qualifier,
        Payload: payload,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
      }),
    );
    return {
      executedVersion: r.ExecutedVersion ?? null,
      functionError: r.FunctionError ?? null,
      payload: Buffer.from(r.Payload ?? new Uint8Array()),
      logTail: r.LogResult ? Buffer.from(r.LogResult, 'base64').toString('utf8') : '',
    };
  } catch (e) {
    throw explain(e, `invoking ${functionName}:${qualifier}`);
  }
}
