import { ExitCode, LciError } from '../errors.js';
import type { DeployResult } from '../deploy/deploy.js';
import { deployJson, deployText } from '../report/deploy.js';
import type { RunContext } from './command.js';
import { reportFailures } from './failures.js';

/** The end of lci deploy and lci apply: the report, warnings, each failure once, and the exit code. */
export function reportDeploy(ctx: RunContext<unknown>, result: DeployResult): number {
  ctx.io.out(
    ctx.globals.json ? deployJson(result) : deployText(result, { verbose: ctx.globals.verbose, style: ctx.style }),
  );
  const functions = result.functions ?? [];
  for (const f of functions) for (const w of f.warnings) ctx.warn(`function ${f.name}: ${w}`);
  const failed = functions.filter((f) => f.status === 'FAILED');
  reportFailures(
    ctx,
    failed.map((f) => ({ name: f.name, awsName: f.awsName, error: f.error ?? 'failed', cause: f.cause })),
  );
  for (const l of result.layers)
    if (l.status === 'FAILED' && result.functions === null)
      ctx.io.err(`lci: shared layer ${l.name}: ${l.error ?? 'failed'}`);
  if (result.slack && !result.slack.sent)
    ctx.warn(`Slack notification not sent: ${result.slack.detail}; the deploy result stands`);
  // A refusal (the live configuration disagrees with lambdas.yaml, a plan the world moved away from) is bad input.
  if (failed.some((f) => f.cause instanceof LciError && f.cause.exitCode === ExitCode.badInput))
    return ExitCode.badInput;
  if (failed.length > 0 || result.layers.some((l) => l.status === 'FAILED')) return ExitCode.failed;
  return ExitCode.ok;
}
