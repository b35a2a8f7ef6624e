import { printable } from '../../errors.js';
import type { Outcome, ProgressSink, TaskProgress } from '../../progress.js';
import { paint, PLAIN, type Style } from '../../report/style.js';

/**
 * Progress for CI logs and pipes: one line per step, each naming its function
 * (`[orders-api] push: uploading code`), so interleaved functions stay readable. With --verbose
 * also detail lines (build logs) and what the run as a whole does (reading the config), as lines
 * naming no function; without, a bad input stays the one line it is. A failure is one line here;
 * its message is printed once, by the command, after the run.
 */
export function plainProgress(writeLine: (line: string) => void, verbose: boolean, style: Style = PLAIN): ProgressSink {
  const write = (line: string) => writeLine(printable(line));
  const phases = new Map<string, string>();
  return {
    status(message) {
      if (verbose) write(message);
    },
    start(name): TaskProgress {
      write(`[${name}] started`);
      return {
        report(message, detail, phase) {
          if (detail && !verbose) return;
          const p = phase ?? phases.get(name);
          write(`[${name}] ${p ? `${p}: ` : ''}${message}`);
        },
        phase(p) {
          phases.set(name, p);
        },
      };
    },
    finish(name, outcome: Outcome, summary) {
      // Painted after printable(): the colour is lci's own, the words around it are not.
      const word =
        outcome === 'done'
          ? `${paint(style, 'green', 'done')}: ${printable(summary)}`
          : outcome === 'failed'
            ? `${paint(style, 'red', 'FAILED')} (the error follows the summary)`
            : `${paint(style, 'yellow', 'skipped')}: ${printable(summary)}`;
      writeLine(`[${printable(name)}] ${word}`);
    },
  };
}
