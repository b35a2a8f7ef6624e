import { printable } from '../errors.js';
import type { ProgressSink } from '../progress.js';
import { SILENT } from '../progress.js';
import { paint } from '../report/style.js';
import type { Globals, Io, RunContext } from './command.js';
import { isCI } from './progress/ci.js';
import { LiveProgress } from './progress/live.js';
import { plainProgress } from './progress/plain.js';
import { Screen } from './progress/screen.js';
import { styleFor } from './terminal.js';

export interface Session<V> {
  ctx: RunContext<V>;
  /** Takes a live view off the screen: before anything else is printed (the result, an error). */
  close(): void;
}

/** Without a height from the terminal, the rows a live view assumes it has. */
const DEFAULT_ROWS = 24;

/**
 * What a command runs with: its flags, the output style, and progress. A live view owns the bottom
 * of the terminal while it runs, so anything the command prints itself (the result, a failure)
 * closes it first, and a question takes it off the screen until answered.
 */
export function runContext<V>(io: Io, globals: Globals, values: V, positionals: string[]): Session<V> {
  let sink: ProgressSink | undefined;
  let live: LiveProgress | undefined;
  const close = () => live?.close();
  const errStyle = styleFor(io.env, io.tty !== undefined);
  const ask = io.ask;
  const newSink = (): ProgressSink => {
    if (globals.json || globals.quiet) return SILENT;
    const columns = io.tty?.columns;
    if (!globals.verbose && !isCI(io.env) && columns && columns > 0) {
      live = new LiveProgress(
        new Screen((s) => process.stderr.write(s), columns, io.tty?.rows || DEFAULT_ROWS),
        errStyle,
      );
      return live;
    }
    return plainProgress((line) => io.err(line), globals.verbose, errStyle);
  };
  const ctx: RunContext<V> = {
    values,
    positionals,
    globals,
    io: {
      ...io,
      out: (text) => {
        close();
        io.out(text);
      },
      err: (text) => {
        close();
        io.err(text);
      },
      ask: ask
        ? async (question) => {
            live?.suspend();
            try {
              return await ask(question);
            } finally {
              live?.resume();
            }
          }
        : undefined,
    },
    style: styleFor(io.env, io.stdoutTerminal === true),
    progress(): ProgressSink {
      sink ??= newSink();
      return sink;
    },
    warn(message) {
      if (globals.quiet) return;
      const line = `lci: ${paint(errStyle, 'yellow', 'warning')}: ${printable(message)}`;
      if (live) live.print(line);
      else io.err(line);
    },
  };
  return { ctx, close };
}
