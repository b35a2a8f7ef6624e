import {
  ConfigError,
  ExitCode,
  formatDiagnostic,
  InterruptedError,
  LciError,
  printable,
  UsageError,
} from '../errors.js';
import { problemsJson } from '../report/validate.js';
import { jsonDocument } from '../report/json.js';
import {
  ENV_FORMS,
  findCommand,
  GLOBAL_HELP,
  helpText,
  parseCommand,
  parseGlobalsOnly,
  unknownCommand,
} from './args.js';
import type { Command, Globals, Io } from './command.js';
import { completionScript, SHELLS, type CommandSpec } from './completion.js';
import { runContext } from './context.js';

type Entry = { name: string; summary: string; load: () => Promise<Command<any>> };

/** Each command loads only what it needs: `lci plan` never pays for the AWS SDK or Docker. */
const COMMANDS: Entry[] = [
  {
    name: 'init',
    summary:
      'Write a first lambdas.yaml from the SAM templates, serverless.yml or Terraform already in the repository.',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'validate',
    summary: 'Check lambdas.yaml: schema, unknown keys, paths and descriptors, globs, environments, AWS names.',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'List the functions a git change touches, and why.',
    load: async () => (await import('./plan.js')).planCommand,
  },
  {
    name: 'build',
    summary: 'Build code zips and dependency layers into .lci/dist, without touching AWS.',
    load: async () => (await import('./build.js')).buildCommand,
  },
  {
    name: 'deploy',
    summary: 'Build, push to S3 and release on Lambda: layer, code, version, alias.',
    load: async () => (await import('./deploy.js')).deployCommand,
  },
  {
    name: 'apply',
    summary: 'Carry out a release plan saved by lci deploy --plan-out, exactly.',
    load: async () => (await import('./apply.js')).applyCommand,
  },
  {
    name: 'generate',
    summary: 'Write the CodeBuild buildspec and the Terraform that run lci deploy per function and environment.',
    load: async () => (await import('./generate.js')).generateCommand,
  },
  {
    name: 'pipelines',
    summary: 'Show the generated pipelines and their latest runs, or start them at a commit (lci pipelines start).',
    load: async () => (await import('./pipelines.js')).pipelinesCommand,
  },
  {
    name: 'status',
    summary: 'Show what each alias serves: version, source version, layer, CodeSha256, traffic shift.',
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    name: 'rollback',
    summary: 'Move an alias back to the version it served before (or a given one), guarded by its RevisionId.',
    load: async () => (await import('./rollback.js')).rollbackCommand,
  },
  {
    name: 'prune',
    summary:
      'Delete versions, layer versions and S3 artifacts lci published that no alias needs, outside the rollback window.',
    load: async () => (await import('./prune.js')).pruneCommand,
  },
  {
    name: 'invoke',
    summary:
      "Invoke a function's alias (or a version) and print the response and log tail; --local runs the built artifacts in Docker.",
    load: async () => (await import('./invoke.js')).invokeCommand,
  },
  {
    name: 'logs',
    summary: "Print a function's CloudWatch Logs, narrowed to the version its alias serves; --follow keeps polling.",
    load: async () => (await import('./logs.js')).logsCommand,
  },
  {
    name: 'version',
    summary: 'Print the version of lci.',
    load: async () => (await import('./version.js')).versionCommand,
  },
  { name: 'help', summary: "Show help, or a command's help (lci help deploy).", load: async () => helpCommand },
  {
    name: 'completion',
    summary: 'Print a shell completion script: lci completion bash|zsh|fish.',
    load: async () => completionCommand,
  },
];

const helpCommand: Command<Record<string, never>> = {
  name: 'help',
  summary: "Show help, or a command's help.",
  usage: 'lci help [COMMAND]',
  options: {},
  help: [['COMMAND', 'the command to explain']],
  allowPositionals: true,
  positionalHint: 'commands',
  async run({ positionals, io }) {
    if (positionals.length === 0) {
      io.out(topHelp());
      return ExitCode.ok;
    }
    const entry = findEntry(positionals[0]!);
    io.out(helpText(await entry.load()));
    return ExitCode.ok;
  },
};

const completionCommand: Command<Record<string, never>> = {
  name: 'completion',
  summary: 'Print a shell completion script (bash, zsh or fish); `functions` lists the function names it completes.',
  usage: 'lci completion bash|zsh|fish',
  options: {},
  help: [['SHELL', `one of ${SHELLS.join(', ')}; e.g. eval "$(lci completion bash)"`]],
  allowPositionals: true,
  positionalHint: 'shells',
  async run({ positionals, globals, io }) {
    if (positionals.length !== 1) throw new UsageError(`completion takes one shell: ${SHELLS.join(', ')}`);
    if (positionals[0] === 'functions') {
      const { loadProject } = await import('../config/load.js');
      io.out(Object.keys((await loadProject({ cwd: io.cwd, config: globals.config })).project.functions).join('\n'));
      return ExitCode.ok;
    }
    const specs: CommandSpec[] = [];
    for (const e of COMMANDS) {
      const c = await e.load();
      specs.push({
        name: c.name,
        summary: e.summary,
        options: c.options,
        ...(c.positionalHint ? { positionalHint: c.positionalHint } : {}),
      });
    }
    io.out(completionScript(positionals[0]!, specs).trimEnd());
    return ExitCode.ok;
  },
};

function findEntry(name: string): Entry {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry)
    throw unknownCommand(
      name,
      COMMANDS.map((c) => c.name),
    );
  return entry;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const options: [string, string][] = [...GLOBAL_HELP, ['--version', 'print the version']];
  const optionWidth = Math.max(...options.map(([f]) => f.length));
  return [
    'Usage: lci <command> [options]',
    '',
    'Continuous delivery for the AWS Lambda functions of a monorepo.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options (in any position):',
    ...options.map(([f, t]) => `  ${f.padEnd(optionWidth)}  ${t}`),
    '',
    'Exit codes: 0 ok, 1 a build or deploy failed (or generate --check found drift), 2 bad input (config, flags), 3 plan --exit-code found nothing, 130/143 interrupted.',
  ].join('\n');
}

/** Runs one lci invocation; returns the exit code. Errors users can act on become one line each; bugs keep their stack only with --debug. */
export async function main(argv: string[], io: Io): Promise<number> {
  const early = safeGlobals(argv, io.env);
  let globals: Globals = early;
  let commandName = 'lci';
  try {
    const { name, rest } = findCommand(argv);
    if (name === undefined) {
      if (early.version) return await (await findEntry('version').load()).run(runContext(io, early, {}, []).ctx);
      io.out(topHelp());
      return early.help ? ExitCode.ok : ExitCode.badInput;
    }
    const entry = findEntry(name);
    commandName = entry.name;
    const command = await entry.load();
    const parsed = parseCommand(command, rest, io.env);
    globals = parsed.globals;
    if (parsed.help) {
      io.out(helpText(command));
      return ExitCode.ok;
    }
    const session = runContext(io, globals, parsed.values, parsed.positionals);
    let code: number;
    try {
      code = await command.run(session.ctx);
    } finally {
      session.close();
    }
    if (io.signal?.aborted) return exitCodeOf(io.signal.reason);
    return code;
  } catch (e) {
    if (io.signal?.aborted) {
      io.err(`lci: ${(io.signal.reason as Error).message}; stopped`);
      return exitCodeOf(io.signal.reason);
    }
    return reportError(fromVariable(e, argv, io.env), io, globals, commandName);
  }
}

/** An error about `--env X` when X came from LCI_ENV says so: the person typed no --env. */
function fromVariable(e: unknown, argv: string[], env: NodeJS.ProcessEnv): unknown {
  const value = env[ENV_FORMS.env];
  if (!(e instanceof UsageError) || !value || argv.some((a) => a === '--env' || a === '-e' || a.startsWith('--env=')))
    return e;
  const given = `--env ${value}`;
  return e.message.startsWith(given) ? new UsageError(`${ENV_FORMS.env}=${e.message.slice('--env '.length)}`) : e;
}

function exitCodeOf(reason: unknown): number {
  return reason instanceof InterruptedError ? reason.exitCode : ExitCode.interrupted;
}

function reportError(e: unknown, io: Io, globals: Globals, command: string): number {
  if (e instanceof ConfigError) {
    if (globals.json) io.out(problemsJson(command, e.diagnostics));
    for (const d of e.diagnostics) io.err(formatDiagnostic(d));
    const n = e.diagnostics.length;
    io.err(`${n} problem${n === 1 ? '' : 's'} in the configuration`);
    return e.exitCode;
  }
  if (e instanceof LciError) {
    if (globals.json)
      io.out(jsonDocument(command, { status: 'ERROR', error: { message: e.message, exitCode: e.exitCode } }));
    const [first, ...details] = e.lines();
    io.err(`lci: ${first}`);
    for (const line of details) io.err(line);
    if (globals.debug && e.stack) io.err(e.stack);
    return e.exitCode;
  }
  const err = e as Error;
  if (globals.json)
    io.out(
      jsonDocument(command, {
        status: 'ERROR',
        error: { message: `internal error: ${err?.message ?? String(e)}`, exitCode: ExitCode.failed },
      }),
    );
  io.err(`lci: internal error: ${printable(err?.message ?? String(e))}`);
  io.err(globals.debug ? String(err?.stack) : '(run again with --debug for the stack trace, and report it)');
  return ExitCode.failed;
}

/** Globals as far as they can be read before the command is known (a bad flag is reported later, by the command). */
function safeGlobals(argv: string[], env: NodeJS.ProcessEnv): Globals & { help: boolean; version: boolean } {
  try {
    return parseGlobalsOnly(argv, env);
  } catch {
    return { json: false, quiet: false, verbose: false, debug: argv.includes('--debug'), help: false, version: false };
  }
}
