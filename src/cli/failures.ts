import { LciError } from '../errors.js';
import type { RunContext } from './command.js';

/**
 * Per-function failures, printed once each after the run: the message (a build's log tail
 * included), and with --debug the stack. Progress lines only ever say that a function failed.
 */
export function reportFailures(
  ctx: RunContext<unknown>,
  failed: { name: string; awsName?: string; error: string; cause?: unknown }[],
): void {
  for (const f of failed) {
    const known = f.cause === undefined || f.cause instanceof LciError;
    ctx.io.err(
      `lci: function ${f.name}${f.awsName ? ` (${f.awsName})` : ''}: ${known ? f.error : `unexpected error: ${f.error}`}`,
    );
    if (ctx.globals.debug && f.cause instanceof Error && f.cause.stack) ctx.io.err(f.cause.stack);
  }
}
