import { resolve } from 'node:path';
import { EVENT_LIMIT, MAX_EVENT_BYTES } from '../config/smoke-file.js';
import { ExitCode, UsageError } from '../errors.js';
import { readNamedFile } from '../named-file.js';
import { invokedWhat, invokeJson, invokeLog, invokeText } from '../report/invoke.js';
import { AWS_HELP, AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command, Io } from './command.js';
import { loadWithProgress } from './load.js';

interface Values extends AwsValues {
  env?: string;
  event?: string;
  version?: string;
  local?: boolean;
}

export const invokeCommand: Command<Values> = {
  name: 'invoke',
  summary:
    "Invoke a function's alias (or a version) and print the response, the function error and the log tail; or run the built artifacts locally.",
  usage:
    'lci invoke FUNCTION (--env NAME [--version N] | --local [--env NAME]) [--event FILE|-] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    env: { type: 'string', short: 'e' },
    event: { type: 'string' },
    version: { type: 'string' },
    local: { type: 'boolean' },
    ...AWS_OPTIONS,
  },
  help: [
    ['FUNCTION', 'the function to invoke'],
    ['-e, --env NAME', 'the environment (LCI_ENV): its alias is invoked (locally: build as configured for it)'],
    ['--event FILE|-', 'the event: a JSON file, or - for stdin (default {})'],
    ['--version N', 'invoke this published version instead of the alias'],
    [
      '--local',
      "run the handler from the built artifacts (.lci/dist, built when needed) in the function's build image, laid out as Lambda does",
    ],
    ...AWS_HELP,
  ],
  async run(ctx) {
    const { values, positionals, globals, io } = ctx;
    if (positionals.length !== 1) throw new UsageError('invoke takes exactly one FUNCTION');
    if (values.version !== undefined && !/^([1-9]\d*|\$LATEST)$/.test(values.version))
      throw new UsageError(`--version ${values.version}: give a published version number`);
    const event = await readEvent(values.event, io);
    const aws = awsOptions(values, io.env);
    const progress = ctx.progress();
    const {
      loaded,
      modules: { invoke },
    } = await loadWithProgress(ctx, progress, () => import('../invoke/invoke.js'));
    const task = progress.start(positionals[0]!);
    let result: Awaited<ReturnType<typeof invoke>>;
    try {
      result = await invoke(
        loaded,
        {
          name: positionals[0]!,
          env: values.env,
          local: values.local === true,
          version: values.version,
          event,
          aws,
          signal: io.signal,
        },
        task,
      );
    } catch (e) {
      progress.finish(positionals[0]!, 'failed', 'FAILED');
      throw e;
    }
    progress.finish(
      positionals[0]!,
      result.functionError ? 'failed' : 'done',
      result.functionError ? `function error ${result.functionError}` : 'returned',
    );
    io.out(globals.json ? invokeJson(result) : invokeText(result));
    if (!globals.json && !globals.quiet) for (const line of invokeLog(result)) io.err(line);
    if (!result.functionError) return ExitCode.ok;
    io.err(`lci: ${invokedWhat(result)} failed: function error ${result.functionError}`);
    return ExitCode.failed;
  },
};

/** The event as bytes Lambda accepts: JSON, at most 6 MB; `-` reads stdin. */
async function readEvent(spec: string | undefined, io: Io): Promise<Buffer> {
  if (spec === undefined) return Buffer.from('{}');
  let data: Buffer;
  if (spec === '-') {
    if (!io.stdin) throw new UsageError('--event -: nothing to read on stdin');
    data = await io.stdin(MAX_EVENT_BYTES);
    if (data.length > MAX_EVENT_BYTES)
      throw new UsageError(`--event -: more than ${MAX_EVENT_BYTES} bytes; ${EVENT_LIMIT}`);
  } else {
    const file = readNamedFile(resolve(io.cwd, spec), MAX_EVENT_BYTES, EVENT_LIMIT);
    if (!file.ok) throw new UsageError(`--event ${spec} ${file.problem}; pass a JSON file, or - for stdin`);
    data = file.data;
  }
  try {
    JSON.parse(data.toString('utf8'));
  } catch (e) {
    throw new UsageError(`--event ${spec}: not JSON (${(e as Error).message})`);
  }
  return data;
}
