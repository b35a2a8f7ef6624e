import { logs } from '../logs/logs.js';
import { loadProject } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import { logEventJsonLine, logLines, logsJson } from '../report/logs.js';
import { AWS_HELP, AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';
import { parseDuration } from './duration.js';

interface Values extends AwsValues {
  env?: string;
  since?: string;
  follow?: boolean;
  version?: string;
  filter?: string;
}

export const logsCommand: Command<Values> = {
  name: 'logs',
  summary:
    "Print a function's CloudWatch Logs (/aws/lambda/<name>), narrowed to the versions its alias serves; --follow keeps polling until Ctrl-C.",
  usage:
    'lci logs FUNCTION --env NAME [--since 10m] [--follow] [--version N|all] [--filter PATTERN] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    env: { type: 'string', short: 'e' },
    since: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
    version: { type: 'string' },
    filter: { type: 'string' },
    ...AWS_OPTIONS,
  },
  help: [
    ['FUNCTION', 'the function whose log to read'],
    ['-e, --env NAME', 'the environment (LCI_ENV): its function and alias'],
    ['--since D', 'from this long ago: 30s, 10m, 2h, 1d, at most 366d (default 10m)'],
    ['-f, --follow', 'keep printing new events until Ctrl-C'],
    ['--version N|all', 'the events of this version, or of every version (default: the versions the alias serves)'],
    ['--filter PATTERN', 'a CloudWatch Logs filter pattern, e.g. ERROR or "?timeout ?refused"'],
    ...AWS_HELP,
  ],
  async run({ values, positionals, globals, io }) {
    if (positionals.length !== 1) throw new UsageError('logs takes exactly one FUNCTION');
    if (!values.env) throw new UsageError('logs needs --env NAME (or LCI_ENV)');
    if (values.version !== undefined && !/^([1-9]\d*|\$LATEST|all)$/.test(values.version)) {
      throw new UsageError(`--version ${values.version}: give a published version number, $LATEST or all`);
    }
    const sinceMs = parseDuration('--since', values.since ?? '10m');
    const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
    const follow = values.follow === true;
    const result = await logs(
      loaded,
      {
        name: positionals[0]!,
        env: values.env,
        sinceMs,
        follow,
        version: values.version,
        filter: values.filter,
        aws: awsOptions(values, io.env),
        signal: io.signal,
      },
      (batch) => {
        if (!globals.json) for (const line of logLines(batch)) io.out(line);
        else if (follow) for (const e of batch) io.out(logEventJsonLine(e));
      },
    );
    if (globals.json && !follow) io.out(logsJson(result));
    return ExitCode.ok;
  },
};
