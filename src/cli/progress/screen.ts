/**
 * The bottom of a terminal that a live view redraws. It holds one block: a header (what the run
 * as a whole is doing), the body (the running functions, as listr2 renders them) and a footer;
 * lines that stay (a finished function, a warning) are printed above the block, never inside it.
 *
 * listr2 writes its frames through `stream` (via log-update, which starts each frame with the
 * sequence that erases the frame before). That sequence is replaced by one erasing what is really
 * on screen, so the lines printed between two frames are neither erased nor repeated, and a
 * header or footer can change without waiting for listr2. Nothing is drawn while suspended (a
 * question is asked) or after close.
 */
export class Screen {
  private header = '';
  private body: string[] = [];
  private footer = '';
  private drawn = 0;
  private suspended = false;
  private closed = false;
  /** Called after each frame listr2 wrote (the live view re-sends output a first frame could not show). */
  onFrame: () => void = () => {};

  constructor(
    private readonly write: (text: string) => void,
    /** Width and height of the terminal (its rows: the block never grows taller than fits). */
    readonly columns: number,
    readonly rows: number,
  ) {}

  /** The stream listr2's renderer writes to: frames, and the cursor hidden and shown again. */
  listrStream(bodyRows: number): {
    write: (chunk: string | Uint8Array) => boolean;
    columns: number;
    rows: number;
    isTTY: true;
  } {
    return {
      write: (chunk) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
        if (CURSOR.test(text)) {
          this.write(text);
          return true;
        }
        const frame = text.replace(ERASE, '').replace(/\n$/, '');
        this.body = frame.trim() === '' ? [] : frame.split('\n');
        this.draw();
        this.onFrame();
        return true;
      },
      columns: this.columns,
      // log-update keeps the last `rows` pieces of the frame split at '\n', its trailing empty one included.
      rows: bodyRows + 1,
      isTTY: true,
    };
  }

  setHeader(line: string): void {
    if (line === this.header) return;
    this.header = line;
    this.draw();
  }

  setFooter(line: string): void {
    if (line === this.footer) return;
    this.footer = line;
    this.draw();
  }

  /** A line that stays, above the block. */
  print(line: string): void {
    if (this.closed) {
      this.write(`${line}\n`);
      return;
    }
    this.write(`${this.erase()}${line}\n`);
    this.draw();
  }

  /** Takes the block off the screen until resume (a question is asked under it). */
  suspend(): void {
    if (this.closed) return;
    this.write(this.erase());
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.draw();
  }

  /** Takes the block off for good: what stays on screen is the lines printed above it. */
  close(): void {
    if (this.closed) return;
    this.write(this.erase());
    this.closed = true;
  }

  private draw(): void {
    if (this.suspended || this.closed) return;
    const lines = [...(this.header ? [this.header] : []), ...this.body, ...(this.footer ? [this.footer] : [])];
    this.write(this.erase() + lines.map((l) => `${l}\n`).join(''));
    this.drawn = lines.length;
  }

  /** Moves up over the block drawn last and clears to the end of the screen. */
  private erase(): string {
    const n = this.drawn;
    this.drawn = 0;
    return n > 0 ? `\r\x1b[${n}A\x1b[0J` : '';
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is matched
const CURSOR = /^\x1b\[\?25[hl]$/;
/** log-update's `eraseLines(n)`: erase line and move up, n − 1 times, erase line, cursor to column 1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is matched
const ERASE = /^(?:\x1b\[2K(?:\x1b\[1A)?)*(?:\x1b\[G)?/;
