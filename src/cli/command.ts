import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Command<V> {
  usage: string;
  options: Options;
  /** Help text for each option, in display order. */
  help: [flag: string, text: string][];
  allowPositionals?: boolean;
  run(values: V, positionals: string[], io: Io): Promise<number>;
}

export const GLOBAL_OPTIONS: Options = {
  config: { type: 'string', short: 'c' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

export const GLOBAL_HELP: [string, string][] = [
  ['-c, --config FILE', 'use this config file instead of searching for lambdas.yaml upwards'],
  ['--debug', 'show stack traces of unexpected errors'],
  ['-h, --help', 'show help'],
];

/** node:util parseArgs, with its errors turned into one-line usage errors that name the command. */
export function parse(name: string, command: Command<unknown>, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(`${name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}; see lci ${name} --help`);
  }
}

export function helpText(command: Command<unknown>, summary: string): string {
  const rows = [...command.help, ...GLOBAL_HELP];
  const width = Math.max(...rows.map(([f]) => f.length));
  return [`Usage: ${command.usage}`, '', summary, '', 'Options:', ...rows.map(([f, t]) => `  ${f.padEnd(width)}  ${t}`)].join('\n');
}
