import { readFileSync } from 'node:fs';
import { ConfigError, ExitCode, formatDiagnostic, LciError } from '../errors.js';
import { GLOBAL_HELP, helpText, parse, type Command, type Io } from './command.js';

/** Each command loads only what it needs: `lci plan` never pays for the AWS SDK or Docker. */
const COMMANDS: { name: string; summary: string; load: () => Promise<Command<any>> }[] = [
  {
    name: 'validate',
    summary: 'Check lambdas.yaml: schema, unknown keys, paths and descriptors, globs, environments, AWS names. Exit 2 with every problem as FILE:LINE:COL: message.',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  { name: 'plan', summary: 'List the functions a git change touches, and why.', load: async () => (await import('./plan.js')).planCommand },
  {
    name: 'build',
    summary: 'Build code zips and dependency layers into .lci/dist/<function>/ (app.zip, deps.zip, manifest.json), without touching AWS.',
    load: async () => (await import('./build.js')).buildCommand,
  },
  {
    name: 'deploy',
    summary: 'Build, push to S3 and release on Lambda: layer, code, version, alias. Unchanged functions are left alone.',
    load: async () => (await import('./deploy.js')).deployCommand,
  },
  {
    name: 'generate',
    summary: 'Write the CodeBuild buildspec and the Terraform (CodeBuild, CodePipeline V2, IAM, notifications) that run lci deploy per function and environment.',
    load: async () => (await import('./generate.js')).generateCommand,
  },
  {
    name: 'status',
    summary: 'Show what each alias serves: version, source version, layer version, CodeSha256, traffic shift.',
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    name: 'rollback',
    summary: 'Move an alias back to the previous (or a given) version, guarded by its RevisionId.',
    load: async () => (await import('./rollback.js')).rollbackCommand,
  },
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: lci <command> [options]',
    '',
    'Continuous delivery for the AWS Lambda functions of a monorepo.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split('. ')[0]}`),
    '',
    'Options:',
    ...[...GLOBAL_HELP, ['--version', 'print the version']].map(([f, t]) => `  ${f!.padEnd(17)}  ${t}`),
    '',
    'Exit codes: 0 ok, 1 a build or deploy failed (or generate --check found drift), 2 bad input (config, flags), 3 plan --exit-code found nothing.',
  ].join('\n');
}

/** Runs one lci invocation; returns the exit code. Errors users can act on become one line each; bugs keep their stack only with --debug. */
export async function main(argv: string[], io: Io): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.out(topHelp());
      return name === undefined ? ExitCode.badInput : ExitCode.ok;
    }
    if (name === '--version' || name === '-v') {
      io.out(version());
      return ExitCode.ok;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) {
      io.err(`lci: unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')} (lci --help)`);
      return ExitCode.badInput;
    }
    const command = await entry.load();
    const { values, positionals } = parse(entry.name, command, rest);
    if (values.help) {
      io.out(helpText(command, entry.summary));
      return ExitCode.ok;
    }
    return await command.run(values, positionals, io);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const d of e.diagnostics) io.err(formatDiagnostic(d));
      const n = e.diagnostics.length;
      io.err(`${n} problem${n === 1 ? '' : 's'} in the configuration`);
      return e.exitCode;
    }
    if (e instanceof LciError) {
      io.err(`lci: ${e.message}`);
      if (debug && e.stack) io.err(e.stack);
      return e.exitCode;
    }
    const err = e as Error;
    io.err(`lci: internal error: ${err?.message ?? String(e)}`);
    io.err(debug ? String(err?.stack) : '(run again with --debug for the stack trace, and report it)');
    return ExitCode.failed;
  }
}
