import { printable } from '../../errors.js';
import type { Outcome, ProgressSink, TaskProgress } from '../../progress.js';

interface Active {
  phase: string;
  message: string;
}

const MARKS: Record<Outcome, string> = { done: '✔', failed: '✖', skipped: '↓' };
const REDRAW_MS = 80;

/**
 * Progress in a terminal: a live line per running function under the lines of finished ones.
 * Lines are cut to the terminal's width, so nothing wraps. Used only when stderr is a terminal
 * that reports its width and lci is not in CI.
 */
export class LiveProgress implements ProgressSink {
  private readonly active = new Map<string, Active>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: { write(s: string): unknown },
    private readonly columns: number,
  ) {}

  start(name: string): TaskProgress {
    this.active.set(name, { phase: '', message: 'starting' });
    this.schedule();
    return {
      report: (message) => {
        const a = this.active.get(name);
        if (a) a.message = message;
        this.schedule();
      },
      phase: (p) => {
        const a = this.active.get(name);
        if (a) a.phase = p;
        this.schedule();
      },
    };
  }

  finish(name: string, outcome: Outcome, summary: string): void {
    this.active.delete(name);
    this.print(`${MARKS[outcome]} ${name}: ${summary}`);
  }

  /** A line that stays (a warning): printed above the live block. */
  print(line: string): void {
    this.clear();
    this.stream.write(this.fit(line) + '\n');
    this.draw();
  }

  /** Leaves the terminal as lines, with no live block. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.clear();
      this.draw();
    }, REDRAW_MS);
  }

  private clear(): void {
    if (this.drawn > 0) this.stream.write(`\x1b[${this.drawn}A\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    const lines = [...this.active].map(([name, a]) =>
      this.fit(`… ${name}: ${a.phase ? `${a.phase}: ` : ''}${a.message}`),
    );
    if (lines.length > 0) this.stream.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }

  /** One terminal row: printable (a build's log line may carry escape sequences), cut to the width. */
  private fit(text: string): string {
    const line = printable(text);
    const max = Math.max(10, this.columns - 1);
    return line.length > max ? line.slice(0, max - 1) + '…' : line;
  }
}
