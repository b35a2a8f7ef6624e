import { printable } from '../../errors.js';
import type { Outcome, ProgressSink, TaskProgress } from '../../progress.js';

/**
 * Progress for CI logs and pipes: one line per step, each naming its function
 * (`[orders-api] push: uploading code`), so interleaved functions stay readable. Detail lines
 * (build logs) only with --verbose. A failure is one line here; its message is printed once, by
 * the command, after the run.
 */
export function plainProgress(writeLine: (line: string) => void, verbose: boolean): ProgressSink {
  const write = (line: string) => writeLine(printable(line));
  const phases = new Map<string, string>();
  return {
    start(name): TaskProgress {
      write(`[${name}] started`);
      return {
        report(message, detail) {
          if (detail && !verbose) return;
          const phase = phases.get(name);
          write(`[${name}] ${phase ? `${phase}: ` : ''}${message}`);
        },
        phase(p) {
          phases.set(name, p);
        },
      };
    },
    finish(name, outcome: Outcome, summary) {
      write(
        `[${name}] ${outcome === 'done' ? `done: ${summary}` : outcome === 'failed' ? 'FAILED (the error follows the summary)' : `skipped: ${summary}`}`,
      );
    },
  };
}
