import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { parseShard } from '../deploy/shard.js';
import { logLines } from '../report/logs.js';
import { awsOptions, LAMBDA_HELP, LAMBDA_OPTIONS, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';
import { DEPLOY_CONCURRENCY, MAX_CONCURRENCY, parseConcurrency } from './concurrency.js';
import { checkConfirmable, confirmMove } from './confirm.js';
import { parseDuration } from './duration.js';
import { reportDeploy } from './deploy-report.js';
import { loadWithProgress } from './load.js';

interface Values extends AwsValues {
  env?: string;
  affected?: boolean;
  base?: string;
  since?: string;
  shard?: string;
  'source-version'?: string;
  strategy?: string;
  'only-matching-ref'?: boolean;
  branch?: string;
  concurrency?: string;
  'fail-fast'?: boolean;
  'dry-run'?: boolean;
  'plan-out'?: string;
  'allow-dirty'?: boolean;
  yes?: boolean;
  abort?: boolean;
  logs?: string;
}

export const deployCommand: Command<Values> = {
  name: 'deploy',
  summary: 'Build, push to S3 and release on Lambda: layer, code, version, alias. Unchanged functions are left alone.',
  usage:
    'lci deploy [FUNCTION...] --env NAME|auto [--affected [--base REV | --since deployed]] [--shard i/N] [--source-version V] [--strategy S] [--only-matching-ref [--branch B]] [--concurrency N] [--fail-fast] [--dry-run | --plan-out FILE] [--allow-dirty] [--abort] [--logs D] [--yes] [--json] [--rate R[,G]] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    env: { type: 'string', short: 'e' },
    affected: { type: 'boolean' },
    base: { type: 'string' },
    since: { type: 'string' },
    shard: { type: 'string' },
    'source-version': { type: 'string' },
    strategy: { type: 'string' },
    'only-matching-ref': { type: 'boolean' },
    branch: { type: 'string' },
    concurrency: { type: 'string', short: 'j' },
    'fail-fast': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    'plan-out': { type: 'string' },
    'allow-dirty': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    abort: { type: 'boolean' },
    logs: { type: 'string' },
    ...LAMBDA_OPTIONS,
  },
  help: [
    ['FUNCTION...', 'deploy these functions (default: every function of the environment)'],
    ['-e, --env NAME|auto', 'the environment (LCI_ENV); auto picks it from CODEBUILD_WEBHOOK_TRIGGER or GITHUB_REF'],
    ['--affected', 'only the functions `lci plan --env` finds affected (with --base as for plan)'],
    [
      '--since deployed',
      'with --affected: each function from the source version its alias serves (one GetFunction each), as lci plan --since deployed',
    ],
    [
      '--shard i/N',
      "deploy shard i of N: every N-th of the functions (named, or the environment's), by name; splits the Lambda rate budget N ways",
    ],
    [
      '--source-version V',
      'names the S3 keys and the version Description (default: CODEBUILD_RESOLVED_SOURCE_VERSION, GITHUB_SHA, git HEAD)',
    ],
    [
      '--strategy S',
      "all-at-once, canary:PCT:MIN or linear:PCT:MIN (alarms checked between steps); default: the environment's strategy, else all-at-once",
    ],
    [
      '--only-matching-ref',
      'deploy only a release of the environment: a commit carrying a tag that matches its tag glob, or (branch environments) --branch matching its branch glob; otherwise exit 0, nothing to release',
    ],
    [
      '--branch B',
      "the branch this run is for (the generated pipelines pass CodePipeline's BranchName); with --only-matching-ref",
    ],
    [
      '-j, --concurrency N',
      `functions deployed at once, 1 to ${MAX_CONCURRENCY} (default ${DEPLOY_CONCURRENCY}; dependency builds run at most one per core)`,
    ],
    ['--fail-fast', 'start no new function after the first failure'],
    ['--dry-run', 'read AWS and print the release plan: what would be built, uploaded and called; write nothing'],
    [
      '--plan-out FILE',
      'make the release plan, upload the artifacts it names (moving nothing that serves) and save it to FILE for lci apply; no Lambda write',
    ],
    ['--allow-dirty', "deploy uncommitted changes to the functions' inputs, as source version <sha>-dirty-<hash>"],
    [
      '--abort',
      'an alias a killed deploy left mid-shift goes back to the version it shifted from (default: the shift is resumed)',
    ],
    ['--logs D', "after the release, print each new version's log for this long (30s, 5m; at most 366d) on stderr"],
    ['-y, --yes', 'no question for an environment with confirm: true (required without a terminal)'],
    ...LAMBDA_HELP,
  ],
  async run(ctx) {
    const { values, positionals, io } = ctx;
    const concurrency = parseConcurrency(values.concurrency, DEPLOY_CONCURRENCY);
    if (!values.env) throw new UsageError('deploy needs --env NAME, or LCI_ENV (--env auto in CI)');
    const env = values.env;
    const shard = values.shard === undefined ? null : parseShard(values.shard);
    if (values.base && !values.affected) throw new UsageError('--base only applies with --affected');
    if (values.since !== undefined) {
      if (values.since !== 'deployed') throw new UsageError(`--since ${values.since}: the only value is 'deployed'`);
      if (!values.affected || values.base)
        throw new UsageError('--since deployed goes with --affected, instead of --base');
    }
    if (values['plan-out'] !== undefined && values['dry-run'])
      throw new UsageError('--plan-out saves a plan and uploads its artifacts; --dry-run writes nothing: give one');
    if (values['plan-out'] !== undefined && values.logs !== undefined)
      throw new UsageError('--logs follows a release; --plan-out makes none (lci apply releases the plan)');
    if (values.branch !== undefined && !values['only-matching-ref'])
      throw new UsageError('--branch only applies with --only-matching-ref');
    const logsMs = values.logs === undefined ? null : parseDuration('--logs', values.logs);
    const aws = awsOptions(values, io.env, shard ? 1 / shard.count : 1); // every flag checked before any progress
    const progress = ctx.progress();
    const {
      loaded,
      modules: { deploy },
    } = await loadWithProgress(ctx, progress, () => import('../deploy/deploy.js'));
    const startedAt = Date.now();
    const result = await deploy(
      loaded,
      {
        names: positionals,
        env,
        affected: values.affected
          ? { base: values.base, sinceDeployed: values.since === 'deployed', environ: io.env }
          : null,
        sourceVersion: values['source-version'],
        strategy: values.strategy,
        onlyMatchingRef: values['only-matching-ref'] ? { branch: values.branch ? values.branch : null } : null,
        concurrency,
        shard,
        failFast: values['fail-fast'] === true,
        dryRun: values['dry-run'] === true,
        planOut: values['plan-out'] === undefined ? null : resolve(io.cwd, values['plan-out']),
        allowDirty: values['allow-dirty'] === true,
        abort: values.abort === true,
        aws,
        environ: io.env,
        signal: io.signal,
        confirm: (e, question) => confirmMove(io, e, values.yes === true, question),
        confirmable: (e) => checkConfirmable(io, e, values.yes === true),
      },
      progress,
    );
    const functions = result.functions ?? [];
    const code = reportDeploy(ctx, result);
    if (logsMs !== null && result.mode === 'deploy') {
      const released = functions.flatMap((f) =>
        f.status === 'PUBLISHED' && f.version ? [{ name: f.name, awsName: f.awsName, version: f.version }] : [],
      );
      const { tailReleased } = await import('../logs/logs.js');
      await tailReleased(
        awsOptions(values, io.env),
        loaded.project.artifacts.region,
        released,
        startedAt,
        logsMs,
        (name, batch) => {
          for (const line of logLines(batch, `[${name}] `)) io.err(line);
        },
        io.signal,
      );
    }
    return code;
  },
};
