import { parseArgs } from 'node:util';
import { didYouMean } from '../config/suggest.js';
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
  ['-c, --config FILE', 'use this config file instead of searching for lambdas.yaml upwards (LCI_CONFIG)'],
  ['--json', 'print the result as JSON (schemaVersion 1; see docs/json-output.md)'],
  ['-q, --quiet', 'no progress and no warnings: only the result and errors (LCI_QUIET=1)'],
  ['--verbose', 'progress as plain lines, with every detail (build logs included) (LCI_VERBOSE=1)'],
  ['--debug', 'like --verbose, and stack traces of errors (LCI_DEBUG=1)'],
  ['-h, --help', 'show help'],
];

/**
 * The environment form of each global flag, and of `--env` where it names one environment. A
 * flag given on the command line wins: `--quiet`, `--verbose` and `--debug` together set how much
 * lci says, so any of them sets it whatever the variables say. `--json` has none: the document
 * is what the program reading stdout asked for, with the flag, not what a shell happened to export.
 */
export const ENV_FORMS = {
  config: 'LCI_CONFIG',
  quiet: 'LCI_QUIET',
  verbose: 'LCI_VERBOSE',
  debug: 'LCI_DEBUG',
  env: 'LCI_ENV',
} as const;

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
export function parseGlobalsOnly(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Globals & { help: boolean; version: boolean } {
  const { values } = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
  return { ...globalsOf(values, env), help: values.help === true, version: values.version === true };
}

/** A command name that is none: one line, with the closest command when there is one. */
export function unknownCommand(name: string, commands: string[]): UsageError {
  return new UsageError(
    `unknown command '${name}'${didYouMean(name, commands)}; commands: ${commands.join(', ')} (lci --help)`,
  );
}

/** node:util parseArgs over the command's and the global options, its errors turned into one-line usage errors. */
export function parseCommand(command: Command<unknown>, argv: string[], env: NodeJS.ProcessEnv = {}) {
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
    const unknown = (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'--([^']*)'/.exec(message);
    const hint = unknown ? didYouMean(unknown[1]!, Object.keys(options)).replace(/'([^']+)'/, "'--$1'") : '';
    throw new UsageError(
      `${command.name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}${hint}; see lci ${command.name} --help`,
    );
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.quiet && (values.verbose || values.debug))
    throw new UsageError(
      `${command.name}: --quiet and --${values.debug ? 'debug' : 'verbose'} contradict each other; choose one`,
    );
  const single = command.options.env?.type === 'string' && !command.options.env.multiple;
  if (single && values.env === undefined && env[ENV_FORMS.env]) values.env = env[ENV_FORMS.env];
  return { values, positionals: parsed.positionals, globals: globalsOf(values, env), help: values.help === true };
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

function globalsOf(values: Record<string, unknown>, env: NodeJS.ProcessEnv): Globals {
  const config = typeof values.config === 'string' ? values.config : env[ENV_FORMS.config] || undefined;
  const flagged = values.quiet !== undefined || values.verbose !== undefined || values.debug !== undefined;
  const level = flagged
    ? { quiet: values.quiet === true, verbose: values.verbose === true, debug: values.debug === true }
    : {
        quiet: switchOf(env, ENV_FORMS.quiet),
        verbose: switchOf(env, ENV_FORMS.verbose),
        debug: switchOf(env, ENV_FORMS.debug),
      };
  if (!flagged && level.quiet && (level.verbose || level.debug))
    throw new UsageError(
      `${ENV_FORMS.quiet} and ${level.debug ? ENV_FORMS.debug : ENV_FORMS.verbose} contradict each other; unset one (or give --quiet, --verbose or --debug, which wins)`,
    );
  return {
    ...(config !== undefined ? { config } : {}),
    json: values.json === true,
    quiet: level.quiet,
    verbose: level.verbose || level.debug,
    debug: level.debug,
  };
}

/** A switch set in the environment: 1, true, yes or on; 0, false, no, off or empty is off; anything else is refused. */
function switchOf(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = (env[name] ?? '').trim().toLowerCase();
  if (value === '' || /^(0|false|no|off)$/.test(value)) return false;
  if (/^(1|true|yes|on)$/.test(value)) return true;
  throw new UsageError(
    `${name}=${env[name]}: give 1 (or true, yes, on) to turn it on, 0 (or false, no, off) to turn it off`,
  );
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
