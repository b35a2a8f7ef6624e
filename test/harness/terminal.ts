import { spawn } from 'node:child_process';
import xterm from '@xterm/headless';
import { LCI_BIN } from './cli.js';

/** Variables that would turn the live view into CI lines, or pick a base: removed so tests see only what they set. */
const NOT_INHERITED = /^(LCI_|CODEBUILD_|GITHUB_|CI$|NO_COLOR$|FORCE_COLOR$|LANG$|LC_ALL$|LC_CTYPE$|TERM$)/;

export interface TerminalRun {
  code: number;
  /** Everything the terminal received, escape sequences included (stdout and stderr share it, as on a real one). */
  raw: string;
  /** Milliseconds from spawn to the first byte lci wrote. */
  firstByteMs: number | null;
  /** The lines a person sees afterwards, scrollback included, each without trailing blanks. */
  screen: string[];
}

/**
 * Runs the real CLI in a terminal of the given size (`script` gives it a pty; stty sets the size
 * before lci starts) and replays what it wrote in a terminal emulator, xterm.js, so a test sees the
 * screen a person sees: lines a live view erased are gone, colour codes are not text.
 */
export async function inTerminal(
  args: string[],
  opts: {
    cwd: string;
    env?: Record<string, string>;
    cols?: number;
    rows?: number;
    /** A redirection after lci (`> out.txt`). */
    after?: string;
    /** Options for node itself (`--import …`). */
    nodeArgs?: string[];
    /** Typed once the screen shows `when` (a person answering a question: typed earlier, it would echo early). */
    answer?: { when: RegExp; text: string };
    timeoutMs?: number;
  },
): Promise<TerminalRun> {
  const cols = opts.cols ?? 100;
  const rows = opts.rows ?? 30;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !NOT_INHERITED.test(k)) env[k] = v;
  Object.assign(env, { TERM: 'xterm-256color' }, opts.env);
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const node = [process.execPath, ...(opts.nodeArgs ?? [])].join(' ');
  const command = `stty cols ${cols} rows ${rows}; exec ${node} ${LCI_BIN} ${quoted} ${opts.after ?? ''}`;
  const t0 = performance.now();
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: opts.cwd,
    env,
    stdio: [opts.answer ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let answered = false;
  let raw = '';
  let firstByteMs: number | null = null;
  child.stdout!.on('data', (b: Buffer) => {
    firstByteMs ??= performance.now() - t0;
    raw += b.toString('utf8');
    if (opts.answer && !answered && opts.answer.when.test(raw)) {
      answered = true;
      child.stdin!.write(opts.answer.text);
    }
  });
  child.stderr!.on('data', (b: Buffer) => {
    raw += b.toString('utf8');
  });
  // A run that hangs (a question never answered) fails the test instead of holding the suite.
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  clearTimeout(timer);
  return { code, raw, firstByteMs, screen: await replay(raw, cols, rows) };
}

/** The lines a terminal of this size shows after receiving `raw`, scrollback first. */
export async function replay(raw: string, cols: number, rows: number): Promise<string[]> {
  // convertEol: a bare \n starts a line at column 1, as a pty's onlcr makes it (bytes written without a pty have no \r).
  const term = new xterm.Terminal({ cols, rows, scrollback: 100_000, allowProposedApi: true, convertEol: true });
  await new Promise<void>((resolve) => term.write(raw, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  term.dispose();
  return lines;
}

/** The SGR colour sequences in `raw` (ESC [ … m). */
export function colours(raw: string): string[] {
  return raw.match(/\x1b\[[0-9;]*m/g) ?? [];
}
