/**
 * Every --json document: `schemaVersion` first (bumped only on a breaking change to any
 * document), then `command`, then the command's fields. Names are shared across commands:
 * `name` is the logical name in lambdas.yaml, `awsName` the Lambda function, `env`, `alias`,
 * and `status` is upper case.
 */
export const SCHEMA_VERSION = 1;

export function jsonDocument(command: string, body: Record<string, unknown>): string {
  return JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, ...body }, null, 2);
}
