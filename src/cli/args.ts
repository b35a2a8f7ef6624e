import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import type { Command, Globals, Options } from './command.js';

export const GLOBAL_OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies Options;

export const GLOBAL_HELP: [string, string][] = [
  ['-c, --config FILE', 'use this config file instead of searching for lambdas.yaml upwards'],
  ['--json', 'print the result as JSON (schemaVersion 1; see README)'],
  ['-q, --quiet', 'no progress and no warnings: only the result and errors'],
  ['--verbose', 'progress as plain lines, with every detail (build logs included)'],
  ['--debug', 'like --verbose, and stack traces of errors'],
  ['-h, --help', 'show help'],
];

/** Global options that take a value: their value is never the command name. */
const VALUE_FLAGS = new Set(
  Object.entries(GLOBAL_OPTIONS).flatMap(([name, o]) =>
    o.type === 'string' ? [`--${name}`, ...('short' in o ? [`-${o.short}`] : [])] : [],
  ),
);

/**
 * The command name is the first word that is neither an option nor the value of a global
 * option, so global options go anywhere: `lci --debug validate`, `lci -c x.yaml plan`.
 */
export function findCommand(argv: string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (VALUE_FLAGS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { name: a, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: undefined, rest: argv };
}

/** Global options before any command (for `lci --json version`, `lci --help`). */
export function parseGlobalsOnly(argv: string[]): Globals & { help: boolean; version: boolean } {
  const { values } = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
  return { ...globalsOf(values), help: values.help === true, version: values.version === true };
}

/** node:util parseArgs over the command's and the global options, its errors turned into one-line usage errors. */
export function parseCommand(command: Command<unknown>, argv: string[]) {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  const options: Options = { ...GLOBAL_OPTIONS, ...command.options };
  try {
    const all = parseArgs({
      args: argv,
      options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
      tokens: true,
    });
    refuseRepeats(command.name, options, all.tokens);
    parsed = all;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new UsageError(
      `${command.name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}; see lci ${command.name} --help`,
    );
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.quiet && (values.verbose || values.debug))
    throw new UsageError(
      `${command.name}: --quiet and --${values.debug ? 'debug' : 'verbose'} contradict each other; choose one`,
    );
  return { values, positionals: parsed.positionals, globals: globalsOf(values), help: values.help === true };
}

/**
 * A flag that takes one value, given twice: parseArgs would keep the last (`--env qa ... --env
 * prod` deploying prod), so it is refused. Flags that take several (`generate --env`) and
 * switches are not affected.
 */
function refuseRepeats(command: string, options: Options, tokens: ReturnType<typeof parseArgs>['tokens'] = []): void {
  const seen = new Map<string, string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || options[t.name]?.type !== 'string' || options[t.name]?.multiple) continue;
    const first = seen.get(t.name);
    if (first !== undefined)
      throw new UsageError(
        `${command}: --${t.name} given twice ('${first}' and '${t.value ?? ''}'); it takes one value, give it once`,
      );
    seen.set(t.name, t.value ?? '');
  }
}

function globalsOf(values: Record<string, unknown>): Globals {
  return {
    ...(typeof values.config === 'string' ? { config: values.config } : {}),
    json: values.json === true,
    quiet: values.quiet === true,
    verbose: values.verbose === true || values.debug === true,
    debug: values.debug === true,
  };
}

export function helpText(command: Command<unknown>): string {
  const rows = [...command.help, ...GLOBAL_HELP];
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `Usage: ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...rows.map(([f, t]) => `  ${f.padEnd(width)}  ${t}`),
  ].join('\n');
}
