import { parseShard } from '../deploy/shard.js';
import { UsageError } from '../errors.js';
import { DEFAULT_MAX_AGE_MS } from '../release/plan-file.js';
import { awsOptions, LAMBDA_HELP, LAMBDA_OPTIONS, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';
import { DEPLOY_CONCURRENCY, parseConcurrency } from './concurrency.js';
import { checkConfirmable, confirmMove } from './confirm.js';
import { reportDeploy } from './deploy-report.js';
import { parseDuration } from './duration.js';
import { loadWithProgress } from './load.js';

interface Values extends AwsValues {
  'max-age'?: string;
  shard?: string;
  'layers-only'?: boolean;
  concurrency?: string;
  'fail-fast'?: boolean;
  yes?: boolean;
}

export const applyCommand: Command<Values> = {
  name: 'apply',
  summary: 'Carry out a release plan saved by lci deploy --plan-out, exactly; refused when what it read has moved.',
  usage:
    'lci apply PLAN_FILE [--shard i/N | --layers-only] [--max-age D] [--concurrency N] [--fail-fast] [--yes] [--json] [--rate R[,G]] [--profile P] [--endpoint-url URL]',
  allowPositionals: true,
  options: {
    'max-age': { type: 'string' },
    shard: { type: 'string' },
    'layers-only': { type: 'boolean' },
    concurrency: { type: 'string', short: 'j' },
    'fail-fast': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...LAMBDA_OPTIONS,
  },
  help: [
    ['PLAN_FILE', 'the plan lci deploy --plan-out wrote (its artifacts are in S3 already)'],
    [
      '--max-age D',
      `refuse a plan older than this (30m, 12h, 7d; default ${DEFAULT_MAX_AGE_MS / 86_400_000}d, CodePipeline's longest approval wait)`,
    ],
    ['--shard i/N', "apply shard i of N of the plan's functions (as lci deploy --shard deals them)"],
    ['--layers-only', "publish the plan's shared layers, nothing else (the step before the shards)"],
    ['-j, --concurrency N', `functions applied at once (default ${DEPLOY_CONCURRENCY})`],
    ['--fail-fast', 'start no new function after the first failure'],
    ['-y, --yes', 'no question for an environment with confirm: true (required without a terminal)'],
    ...LAMBDA_HELP.filter(([flag]) => !flag.startsWith('--region')),
  ],
  async run(ctx) {
    const { values, positionals, io } = ctx;
    if (positionals.length !== 1)
      throw new UsageError('apply takes one plan file: lci apply PLAN_FILE (written by lci deploy --plan-out)');
    if (values.region !== undefined)
      throw new UsageError('--region: a plan applies in the region it was made for (its "region"); leave it out');
    const shard = values.shard === undefined ? null : parseShard(values.shard);
    if (shard && values['layers-only'])
      throw new UsageError('--layers-only publishes the shared layers for every shard; leave out --shard');
    // Every flag is checked before any progress is shown.
    const maxAgeMs =
      values['max-age'] === undefined ? DEFAULT_MAX_AGE_MS : parseDuration('--max-age', values['max-age']);
    const concurrency = parseConcurrency(values.concurrency, DEPLOY_CONCURRENCY);
    const aws = awsOptions(values, io.env, shard ? 1 / shard.count : 1);
    const progress = ctx.progress();
    const {
      loaded,
      modules: { applySaved },
    } = await loadWithProgress(ctx, progress, () => import('../deploy/apply-saved.js'));
    const result = await applySaved(
      loaded,
      {
        file: positionals[0]!,
        maxAgeMs,
        shard,
        layersOnly: values['layers-only'] === true,
        concurrency,
        failFast: values['fail-fast'] === true,
        aws,
        environ: io.env,
        cwd: io.cwd,
        signal: io.signal,
        confirm: (e, question) => confirmMove(io, e, values.yes === true, question),
        confirmable: (e) => checkConfirmable(io, e, values.yes === true),
      },
      progress,
    );
    return reportDeploy(ctx, result);
  },
};
