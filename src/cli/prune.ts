import { prune } from '../prune/prune.js';
import { loadProject } from '../config/load.js';
import { parseDuration } from './duration.js';
import { ExitCode } from '../errors.js';
import { pruneJson, pruneText, storageFull, storageLine } from '../report/prune.js';
import { awsOptions, LAMBDA_HELP, LAMBDA_OPTIONS, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';
import { reportFailures } from './failures.js';
import { parseWhole } from './numbers.js';

/** As lambdas.yaml's `prune.keep` allows. */
const MAX_KEEP = 1000;

interface Values extends AwsValues {
  env?: string[];
  keep?: string;
  'older-than'?: string;
  'dry-run'?: boolean;
  yes?: boolean;
}

export const pruneCommand: Command<Values> = {
  name: 'prune',
  summary:
    'Delete function versions, layer versions and S3 artifacts lci published that no alias needs, outside the rollback window.',
  usage:
    'lci prune [FUNCTION...] [--env NAME...] [--keep N] [--older-than 30d] [--dry-run] [--yes] [--json] [--rate R[,G]] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    env: { type: 'string', short: 'e', multiple: true },
    keep: { type: 'string' },
    'older-than': { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...LAMBDA_OPTIONS,
  },
  help: [
    ['FUNCTION...', 'these functions (default: all)'],
    ['-e, --env NAME', 'the functions of these environments (repeatable; default: every environment)'],
    [
      '--keep N',
      `the last N versions each alias served stay, its current one included, 1 to ${MAX_KEEP} (default: the environment's prune.keep, else 3)`,
    ],
    ['--older-than AGE', 'only versions older than this: 30d, 12h, 90m, at most 366d (default: any age)'],
    ['--dry-run', 'read and list what would be deleted; delete nothing'],
    ['-y, --yes', 'delete (without it, prune is a dry run)'],
    ...LAMBDA_HELP,
  ],
  async run(ctx) {
    const { values, positionals, globals, io } = ctx;
    const keep = values.keep === undefined ? undefined : parseWhole('--keep', values.keep, 1, MAX_KEEP);
    const olderThanMs = values['older-than'] === undefined ? null : parseDuration('--older-than', values['older-than']);
    const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
    const result = await prune(loaded, {
      names: positionals,
      envs: values.env ?? [],
      keep,
      olderThanMs,
      dryRun: values['dry-run'] === true || values.yes !== true,
      aws: awsOptions(values, io.env),
    });
    io.out(globals.json ? pruneJson(result) : pruneText(result, ctx.style));
    const storage = result.storage.after ?? result.storage.before;
    if (storageFull(storage))
      ctx.warn(`${storageLine(storage)}: above 80% of the limit; prune more (a smaller --keep) or ask AWS to raise it`);
    reportFailures(
      ctx,
      result.functions.flatMap((f) =>
        f.error ? [{ name: f.names.join(', '), awsName: f.awsName, error: f.error }] : [],
      ),
    );
    return result.functions.some((f) => f.status === 'FAILED') ? ExitCode.failed : ExitCode.ok;
  },
};
