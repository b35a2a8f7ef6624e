import { createHash } from 'node:crypto';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaSdk } from './sdk.js';

/**
 * A traffic shift in progress is marked with a tag on the function, because a no-op deploy reads
 * only GetFunction of the alias, which returns the version's configuration and the function's tags
 * but not the alias's routing weights. A deploy killed mid-shift leaves the tag; the next deploy
 * then reads the alias (GetAlias) and resumes or puts the shift back.
 */

const PREFIX = 'lci:shifting:';
/** AWS tag keys are at most 128 characters; an alias may be 128 itself. */
const MAX_KEY = 128;

export function shiftMarkerKey(alias: string): string {
  const key = PREFIX + alias;
  return key.length <= MAX_KEY ? key : PREFIX + createHash('sha256').update(alias).digest('hex').slice(0, 32);
}

export function isShiftMarked(tags: Record<string, string> | undefined, alias: string): boolean {
  return tags !== undefined && shiftMarkerKey(alias) in tags;
}

/** `arn:aws:lambda:region:account:function:name[:qualifier]` → the function's own ARN (tags belong to it). */
export function functionArnOf(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}

export async function markShift(
  lambda: LambdaClient,
  functionArn: string,
  alias: string,
  from: string,
  to: string,
): Promise<void> {
  await lambda.send(
    new (lambdaSdk().TagResourceCommand)({
      Resource: functionArnOf(functionArn),
      Tags: { [shiftMarkerKey(alias)]: `${from}:${to}` },
    }),
  );
}

export async function clearShift(lambda: LambdaClient, functionArn: string, alias: string): Promise<void> {
  await lambda.send(
    new (lambdaSdk().UntagResourceCommand)({ Resource: functionArnOf(functionArn), TagKeys: [shiftMarkerKey(alias)] }),
  );
}
