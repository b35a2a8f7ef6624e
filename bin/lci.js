#!/usr/bin/env node
import { InterruptedError } from '../dist/errors.js';
import { main } from '../dist/cli/main.js';

// Ctrl-C and SIGTERM abort the run: build containers are removed and the work stops cleanly.
// A second signal, or work that does not stop within the grace period, ends the process.
const controller = new AbortController();
const GRACE_MS = 10_000;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    const reason = new InterruptedError(signal);
    if (controller.signal.aborted) process.exit(reason.exitCode);
    controller.abort(reason);
    setTimeout(() => process.exit(reason.exitCode), GRACE_MS).unref();
  });
}

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  signal: controller.signal,
  tty: process.stderr.isTTY ? { columns: process.stderr.columns } : undefined,
});
// Exit now: an interrupted run may leave AWS calls or timers pending that must not keep it alive.
if (controller.signal.aborted) process.exit(code);
process.exitCode = code;
