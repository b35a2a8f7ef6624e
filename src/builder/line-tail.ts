/** The last N lines of a stream of output chunks: what a failed build shows of its log. */
export class LineTail {
  private buf: string[] = [];
  private partial = '';

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.buf.push(line);
      if (this.buf.length > this.max) this.buf.shift();
    }
  }

  lastLine(): string {
    return this.partial || this.buf.at(-1) || '';
  }

  lines(): string[] {
    return this.partial ? [...this.buf.slice(-(this.max - 1)), this.partial] : this.buf;
  }
}
