import { listPipelines, startPipelines } from '../pipelines/pipelines.js';
import { loadProject } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import { pipelinesJson, pipelinesText, startJson, startText } from '../report/pipelines.js';
import { AWS_HELP, AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';

interface Values extends AwsValues {
  env?: string[];
  affected?: boolean;
  base?: string;
  'source-version'?: string;
}

export const pipelinesCommand: Command<Values> = {
  name: 'pipelines',
  summary:
    'Show the generated pipelines (exists, latest run, affected since the last success), or start them at a commit.',
  usage:
    'lci pipelines [--env NAME...] [--json] | lci pipelines start FUNCTION...|--affected [--base REV] --env NAME [--source-version REV] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    env: { type: 'string', short: 'e', multiple: true },
    affected: { type: 'boolean' },
    base: { type: 'string' },
    'source-version': { type: 'string' },
    ...AWS_OPTIONS,
  },
  help: [
    [
      'start FUNCTION...',
      "start these functions' pipelines (StartPipelineExecution with the commit as the source revision)",
    ],
    ['-e, --env NAME', 'only this environment (repeatable when listing; exactly one with start)'],
    ['--affected', 'start: the functions `lci plan --env` finds affected (with --base as for plan)'],
    ['--source-version REV', 'start: the commit to run (default: HEAD)'],
    ...AWS_HELP,
  ],
  async run(ctx) {
    const { values, positionals, globals, io } = ctx;
    const [verb, ...names] = positionals;
    const aws = awsOptions(values, io.env);
    if (verb === undefined) {
      if (values.affected || values.base || values['source-version'])
        throw new UsageError('--affected, --base and --source-version apply to lci pipelines start');
      const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
      const result = await listPipelines(loaded, { envs: values.env ?? [], aws });
      io.out(globals.json ? pipelinesJson(result) : pipelinesText(result, ctx.style));
      return ExitCode.ok;
    }
    if (verb !== 'start')
      throw new UsageError(
        `lci pipelines ${verb}: unknown subcommand; use lci pipelines (list) or lci pipelines start FUNCTION... --env NAME`,
      );
    if (values.env?.length !== 1) throw new UsageError('lci pipelines start needs exactly one --env NAME');
    if (values.base && !values.affected) throw new UsageError('--base only applies with --affected');
    const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
    const result = await startPipelines(loaded, {
      names,
      env: values.env[0]!,
      affected: values.affected ? { base: values.base, environ: io.env } : null,
      sourceVersion: values['source-version'],
      aws,
    });
    io.out(globals.json ? startJson(result) : startText(result, ctx.style));
    const failed = (result.pipelines ?? []).filter((p) => p.status === 'FAILED');
    for (const f of failed) io.err(`lci: pipeline ${f.pipeline} (function ${f.name}): ${f.error}`);
    return failed.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};
