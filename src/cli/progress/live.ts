import type { DefaultRenderer, ListrDefaultRendererTask, ListrTaskWrapper } from 'listr2';
import { printable } from '../../errors.js';
import type { Outcome, ProgressSink, TaskProgress } from '../../progress.js';
import { ellipsis, mark, paint, type Color, type Style } from '../../report/style.js';
import type { Screen } from './screen.js';

type Listr2 = typeof import('listr2');

interface Running {
  name: string;
  phase: string;
  /** The current step, as shown under the function's name. */
  output: string;
  shown?: Shown;
}

interface Shown {
  task: ListrDefaultRendererTask;
  output: () => string;
  wrapper?: ListrTaskWrapper<unknown, never, never>;
  done?: () => void;
  /** Its output was set before the renderer drew it once (listr2 keeps only output it saw). */
  fresh: boolean;
}

/**
 * Progress in a terminal, rendered by listr2: a task per running function (its name, and its
 * current step as output under it, with a spinner), under the lines of the finished ones (a mark
 * and the summary; a failure's message is printed once, by the command, after the run).
 *
 * Adapted where listr2 alone would break a promise of the README (see Screen): frames go to
 * stderr, not stdout; finished functions leave the live block and stay as lines above it, so the
 * block holds only what runs, at most as many as fit the terminal's height ("and N more running"
 * below); text is made printable and cut to the width before listr2 sees it (it measures stdout's
 * width, which is not the terminal's when stdout is a pipe); listr2's Ctrl-C handler (it would exit
 * 127 in the middle of a release) is not installed. The header line (what the run as a whole is
 * doing) is drawn at once, before listr2 has even loaded: `lci plan` and friends never load it.
 */
export class LiveProgress implements ProgressSink {
  private readonly running = new Map<string, Running>();
  private view: ListrView | undefined;
  private closed = false;
  private readonly width: number;
  private readonly capacity: number;

  constructor(
    private readonly screen: Screen,
    private readonly style: Style,
  ) {
    // listr2 cuts each line to process.stdout's width (80 when stdout is no terminal): fit to the narrower.
    this.width = Math.min(screen.columns, process.stdout.columns || 80);
    // Two rows per running function, under the header and above the footer.
    this.capacity = Math.max(1, Math.floor((screen.rows - 3) / 2));
    import('listr2').then(
      (listr2) => {
        if (this.closed) return;
        this.view = new ListrView(listr2, screen, style, this.capacity * 2);
        for (const r of this.running.values()) this.show(r);
        this.updateFooter();
      },
      () => {}, // without listr2 the header and the finished lines still show; nothing else to do
    );
  }

  status(message: string): void {
    this.screen.setHeader(this.fit(message, this.screen.columns - 1));
  }

  start(name: string): TaskProgress {
    const existing = this.running.get(name);
    const r: Running = existing ?? { name, phase: '', output: 'starting' };
    if (!existing) {
      this.running.set(name, r);
      this.show(r);
      this.updateFooter();
    }
    const set = (message: string, phase = r.phase) => {
      r.output = this.fit(`${phase ? `${phase}: ` : ''}${message}`, this.width - 6);
      if (r.shown?.wrapper) r.shown.wrapper.output = r.output;
    };
    return {
      report: (message, _detail, phase) => set(message, phase),
      phase: (p) => {
        r.phase = p;
      },
    };
  }

  finish(name: string, outcome: Outcome, summary: string): void {
    const r = this.running.get(name);
    this.running.delete(name);
    if (r?.shown) {
      this.view?.hide(r.shown);
      for (const next of this.running.values()) if (!next.shown && this.show(next)) break;
    }
    this.updateFooter();
    this.print(`${mark(this.style, outcome)} ${this.fit(`${name}: ${summary}`, this.screen.columns - 3)}`);
  }

  /** A line that stays (a warning): printed above the live block. */
  print(line: string): void {
    this.screen.print(line);
  }

  /** Before a question: the block leaves the screen, and comes back after the answer. */
  suspend(): void {
    this.screen.suspend();
  }

  resume(): void {
    this.screen.resume();
  }

  /** Leaves the terminal as lines, with no live block (before the result is printed). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.screen.close();
    this.view?.end();
  }

  /** Shows a running function when there is room; the others are counted in the footer. */
  private show(r: Running): boolean {
    if (!this.view || r.shown || this.view.count >= this.capacity) return false;
    r.shown = this.view.add(this.fit(r.name, this.width - 4), () => r.output);
    return true;
  }

  private updateFooter(): void {
    const hidden = [...this.running.values()].filter((r) => !r.shown).length;
    this.screen.setFooter(
      hidden > 0 && this.view ? paint(this.style, 'dim', `${ellipsis(this.style)} and ${hidden} more running`) : '',
    );
  }

  /** One terminal row: printable (a build's log line may carry escape sequences), cut to `max` columns. */
  private fit(text: string, max: number): string {
    return fitColumns(printable(text), Math.max(10, max), ellipsis(this.style));
  }
}

/** Cuts to `max` columns, counting every non-ASCII character as two (never more than a terminal shows). */
export function fitColumns(text: string, max: number, more: string): string {
  let used = 0;
  let cut = -1;
  let i = 0;
  for (const ch of text) {
    const w = ch.charCodeAt(0) < 0x7f ? 1 : 2;
    if (used + w > max - more.length && cut < 0) cut = i;
    used += w;
    if (used > max) return text.slice(0, cut) + more;
    i += ch.length;
  }
  return text;
}

/** The listr2 part: its default renderer over the tasks of the functions shown. */
class ListrView {
  private readonly tasks: ListrDefaultRendererTask[] = [];
  private readonly shown = new Set<Shown>();
  private readonly renderer: DefaultRenderer;
  private ready = false;
  private ended = false;

  constructor(
    private readonly listr2: Listr2,
    screen: Screen,
    style: Style,
    bodyRows: number,
  ) {
    const stream = screen.listrStream(bodyRows) as unknown as NodeJS.WriteStream;
    const levels = listr2.ListrDefaultRendererLogLevels;
    const painter = (color: Color) => (text?: string) => paint(style, color, text ?? '');
    // listr2 picks Braille frames on any non-Windows system, whatever the locale.
    class AsciiSpinner extends listr2.Spinner {
      protected override readonly spinner = ['-', '\\', '|', '/'];
    }
    const spinner = style.unicode ? new listr2.Spinner() : new AsciiSpinner();
    const icon = Object.fromEntries(Object.values(levels).map((l) => [l, style.unicode ? '◼' : '*']));
    this.renderer = new listr2.DefaultRenderer(
      this.tasks,
      {
        logger: new listr2.ListrLogger({
          processOutput: new listr2.ProcessOutput(stream, stream, { dump: [], leaveEmptyLine: false }),
        }),
        spinner,
        icon: {
          ...icon,
          [levels.OUTPUT]: style.unicode ? '›' : '>',
          [levels.OUTPUT_WITH_BOTTOMBAR]: style.unicode ? '›' : '>',
        },
        color: {
          ...Object.fromEntries(Object.values(levels).map((l) => [l, painter('dim')])),
          [levels.PENDING]: painter('yellow'),
          [levels.COMPLETED]: painter('green'),
          [levels.FAILED]: painter('red'),
        },
        formatOutput: 'truncate',
        clearOutput: true,
        showErrorMessage: false,
        removeEmptyLines: true,
      },
      new listr2.ListrEventManager(),
    );
    // A task's output set before its first frame is not kept by listr2: it is sent again after it.
    screen.onFrame = () => {
      for (const s of this.shown.values())
        if (s.fresh && s.wrapper) {
          s.fresh = false;
          s.wrapper.output = s.output();
        }
    };
    void this.renderer.render().then(() => {
      this.ready = true;
      if (this.ended) this.renderer.end();
    });
  }

  get count(): number {
    return this.tasks.length;
  }

  /** A listr2 task for one function; it runs until hide(). */
  add(title: string, output: () => string): Shown {
    const shown = { fresh: true, output } as Shown;
    const list = new this.listr2.Listr(
      [
        {
          title,
          task: (_ctx, wrapper) =>
            new Promise<void>((resolve) => {
              shown.wrapper = wrapper as unknown as Shown['wrapper'];
              shown.done = resolve;
              wrapper.output = output();
            }),
        },
      ],
      // Its own silent list runs it; the renderer above draws it among the others.
      { renderer: 'silent', exitOnError: false, registerSignalListeners: false },
    );
    void list.run();
    shown.task = list.tasks[0] as unknown as ListrDefaultRendererTask;
    // Drawn at the next spinner tick, by when the task has started (it starts within this turn).
    this.tasks.push(shown.task);
    this.shown.add(shown);
    return shown;
  }

  hide(shown: Shown): void {
    const i = this.tasks.indexOf(shown.task);
    if (i >= 0) this.tasks.splice(i, 1);
    this.shown.delete(shown);
    shown.done?.();
    this.refresh();
  }

  end(): void {
    this.ended = true;
    for (const s of this.shown.values()) s.done?.();
    if (this.ready) this.renderer.end();
  }

  /** A frame now, not at the next spinner tick: a finished function leaves the block at once. */
  private refresh(): void {
    if (this.ready && !this.ended) this.renderer.update();
  }
}
