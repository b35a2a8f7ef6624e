import { LciError, printable } from '../errors.js';
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
    // An LciError's own lines keep their shape (a log tail under the message); anything else is one line.
    const [first, ...details] =
      f.cause instanceof LciError && f.cause.message === f.error ? f.cause.lines() : [printable(f.error)];
    ctx.io.err(
      `lci: function ${f.name}${f.awsName ? ` (${f.awsName})` : ''}: ${known ? first : `unexpected error: ${first}`}`,
    );
    for (const line of details) ctx.io.err(line);
    if (ctx.globals.debug && f.cause instanceof Error && f.cause.stack) ctx.io.err(f.cause.stack);
  }
}
