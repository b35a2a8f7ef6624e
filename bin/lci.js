#!/usr/bin/env node
import module from 'node:module';
import { createInterface } from 'node:readline';
import { compileCacheDir } from '../dist/run/compile-cache.js';

// V8's compiled code of lci and the AWS SDK is kept between runs, in a directory of the user's own
// (compile-cache.ts): a run then starts some 35 ms sooner. Enabled before lci's modules load.
const cacheDir = compileCacheDir(process.env);
if (cacheDir) module.enableCompileCache?.(cacheDir);
// lci runs bundled (scripts/bundle.mjs); with --debug a stack trace names the lines of src/.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { criticalWork } = await import('../dist/run/critical.js');
const { InterruptedError } = await import('../dist/run/errors.js');
const { main } = await import('../dist/run/main.js');

// Ctrl-C and SIGTERM abort the run: build containers are removed, a traffic shift is rolled back,
// and the work stops cleanly. A second signal, or work that does not stop within the grace period,
// ends the process, but never in the middle of putting an alias back (a critical section): that is
// waited for, at most CRITICAL_MAX_MS.
const controller = new AbortController();
const GRACE_MS = 10_000;
const CRITICAL_MAX_MS = 60_000;
/** After a critical section, time for the run to say how it ended (it exits sooner when it is done). */
const REPORT_MS = 2_000;

function exitWhenSafe(code) {
  const pending = criticalWork();
  if (!pending) process.exit(code);
  process.stderr.write('lci: waiting for an alias to be put back before exiting\n');
  setTimeout(() => process.exit(code), CRITICAL_MAX_MS).unref();
  void pending.then(() => setTimeout(() => process.exit(code), REPORT_MS).unref());
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    const reason = new InterruptedError(signal);
    if (controller.signal.aborted) return exitWhenSafe(reason.exitCode);
    controller.abort(reason);
    setTimeout(() => exitWhenSafe(reason.exitCode), GRACE_MS).unref();
  });
}

/** One line typed on the terminal; the question goes to stderr so stdout stays the result. */
function ask(question) {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    rl.question(question, (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.on('close', () => answered || resolve('')); // Ctrl-D: no
    rl.on('SIGINT', () => {
      rl.close();
      process.kill(process.pid, 'SIGINT'); // readline took Ctrl-C from the terminal: interrupt as anywhere else
    });
  });
}

/**
 * stdin up to one byte past `limit`, then no more: the caller refuses a larger input without ever
 * holding it (an endless pipe costs `limit` bytes, not all memory). Ctrl-C or SIGTERM ends the
 * wait at once.
 */
function readStdin(limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let total = 0;
    const finish = (settle) => {
      process.stdin.off('data', onData).off('end', onEnd).off('error', onError);
      controller.signal.removeEventListener('abort', onAbort);
      process.stdin.destroy();
      settle();
    };
    const onData = (chunk) => {
      const part = chunk.subarray(0, limit + 1 - total);
      chunks.push(part);
      total += part.length;
      if (total > limit) onEnd();
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks, total)));
    const onError = (e) => finish(() => reject(e));
    const onAbort = () => finish(() => reject(controller.signal.reason));
    if (controller.signal.aborted) return onAbort();
    process.stdin.on('data', onData).on('end', onEnd).on('error', onError);
    controller.signal.addEventListener('abort', onAbort);
  });
}

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  signal: controller.signal,
  tty: process.stderr.isTTY ? { columns: process.stderr.columns, rows: process.stderr.rows } : undefined,
  stdoutTerminal: process.stdout.isTTY === true,
  ask: process.stdin.isTTY ? ask : undefined,
  stdin: readStdin,
});
// Exit now: an interrupted run may leave AWS calls or timers pending that must not keep it alive.
if (controller.signal.aborted) process.exit(code);
process.exitCode = code;
