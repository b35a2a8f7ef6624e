import type { ParseArgsConfig } from 'node:util';
import type { ProgressSink } from '../progress.js';
import type { Style } from '../report/style.js';

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Aborted on Ctrl-C or SIGTERM (set by bin/lci.js; absent when tests call main directly). */
  signal?: AbortSignal;
  /** Whether stderr (where progress goes) is a terminal, and its size (0 or undefined: unknown). */
  tty?: { columns: number | undefined; rows?: number | undefined };
  /** Whether stdout (where the result goes) is a terminal. */
  stdoutTerminal?: boolean;
  /** Asks a person: shows the question on stderr and resolves with the line typed. Absent when stdin is not a terminal (CI). */
  ask?: (question: string) => Promise<string>;
  /** stdin, for `--event -`, read to its end or to one byte past `limit`, whichever comes first (absent: nothing to read). */
  stdin?: (limit: number) => Promise<Buffer>;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes, in any position. */
export interface Globals {
  config?: string;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  debug: boolean;
}

export interface RunContext<V> {
  values: V;
  positionals: string[];
  globals: Globals;
  io: Io;
  /** How the result is dressed for stdout: colour only on a terminal (or FORCE_COLOR), marks for the locale. */
  style: Style;
  /** Per-function progress for this run (the same sink every call): live in a terminal, `[function]` lines in CI, nothing with --json or --quiet. */
  progress(): ProgressSink;
  /** A warning: one stderr line, left out with --quiet. */
  warn(message: string): void;
}

export interface Command<V> {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  /** Help text for each option, in display order. */
  help: [flag: string, text: string][];
  allowPositionals?: boolean;
  /** Words completed after the command (function names are completed from lambdas.yaml by the shell functions). */
  positionalHint?: 'functions' | 'shells' | 'commands' | 'subcommands';
  run(ctx: RunContext<V>): Promise<number>;
}
