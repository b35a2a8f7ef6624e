import { availableParallelism } from 'node:os';
import { ArtifactStore } from '../aws/artifact-store.js';
import { DEFAULT_TIMING } from '../aws/lambda.js';
import { DependencyBuilder } from '../build/build.js';
import { dockerClient } from '../build/docker.js';
import { buildTargets } from '../build/targets.js';
import { loadProject } from '../config/load.js';
import { autoEnvironment, sourceVersion } from '../deploy/ci-env.js';
import { deployFunction, failedResult, type FunctionDeployResult } from '../deploy/deploy-function.js';
import { deployJson, deploySummary } from '../deploy/report.js';
import { parseStrategy } from '../deploy/strategy.js';
import { ExitCode, UsageError } from '../errors.js';
import { notifySlack } from '../notify/slack.js';
import type { Command } from './command.js';
import { AWS_HELP, AWS_OPTIONS, clientsFor, selectNames, workspaceOf, type AwsValues } from './shared.js';
import { parseConcurrency, runTasks } from './tasks.js';

interface Values extends AwsValues {
  config?: string;
  env?: string;
  affected?: boolean;
  base?: string;
  'source-version'?: string;
  strategy?: string;
  concurrency?: string;
  'fail-fast'?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
}

export const deployCommand: Command<Values> = {
  usage: 'lci deploy [FUNCTION...] --env NAME|auto [--affected [--base REV]] [--source-version V] [--strategy S] [--concurrency N] [--fail-fast] [--dry-run] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  options: {
    env: { type: 'string', short: 'e' },
    affected: { type: 'boolean' },
    base: { type: 'string' },
    'source-version': { type: 'string' },
    strategy: { type: 'string' },
    concurrency: { type: 'string', short: 'j' },
    'fail-fast': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    ...AWS_OPTIONS,
  },
  help: [
    ['FUNCTION...', 'deploy these functions (default: every function of the environment)'],
    ['-e, --env NAME|auto', 'the environment; auto picks it from CODEBUILD_WEBHOOK_TRIGGER or GITHUB_REF'],
    ['--affected', 'only the functions `lci plan --env` finds affected (with --base as for plan)'],
    ['--source-version V', 'names the S3 keys and the version Description (default: CODEBUILD_RESOLVED_SOURCE_VERSION, GITHUB_SHA, git HEAD)'],
    ['--strategy S', 'all-at-once (default), canary:PCT:MIN or linear:PCT:MIN (alarms checked between steps)'],
    ['-j, --concurrency N', `functions deployed at once (default: number of cores, here ${availableParallelism()})`],
    ['--fail-fast', 'start no new function after the first failure'],
    ['--dry-run', 'read AWS and print what would be built, uploaded and called; write nothing'],
    ['--json', 'print the report as JSON'],
    ...AWS_HELP,
  ],
  async run(values, positionals, io) {
    const concurrency = parseConcurrency(values.concurrency);
    const strategy = parseStrategy(values.strategy ?? 'all-at-once');
    if (!values.env) throw new UsageError('deploy needs --env NAME (or --env auto in CI)');
    if (values.base && !values.affected) throw new UsageError('--base only applies with --affected');
    const loaded = await loadProject({ cwd: io.cwd, config: values.config });
    const { project } = loaded;
    const env = values.env === 'auto' ? autoEnvironment(project, io.env) : values.env;
    const names = await selectNames(positionals, values.affected, { cwd: io.cwd, config: values.config, base: values.base, env, environ: io.env });
    if (names === null) {
      io.out(values.json ? JSON.stringify({ env, functions: [] }, null, 2) : `nothing to deploy: no function is affected in ${env}`);
      return ExitCode.ok;
    }
    const targets = buildTargets(project, names, env);
    const version = await sourceVersion(values['source-version'], io.env, loaded.inRepo ? loaded.root : null);
    const aws = await clientsFor(values, io.env, project.artifacts.region);
    const ws = workspaceOf(loaded);
    const store = new ArtifactStore(aws.s3, project.artifacts.bucket, project.artifacts.prefix);
    const ctx = { ws, aws, store, deps: new DependencyBuilder(ws, dockerClient), timing: DEFAULT_TIMING, sourceVersion: version, strategy, dryRun: values['dry-run'] === true };

    const results = new Map<string, FunctionDeployResult>();
    await runTasks(
      targets.map((r) => ({
        name: r.name,
        run: async (report, phase) => {
          try {
            const res = await deployFunction(r, ctx, report, phase);
            results.set(r.name, res);
            return `${res.status}${res.version ? ` version ${res.version}` : ''}`;
          } catch (e) {
            results.set(r.name, (e as { result?: FunctionDeployResult }).result ?? failedResult(r, aws.region, (e as Error).message));
            throw e;
          }
        },
      })),
      { concurrency, failFast: values['fail-fast'] === true, json: values.json === true, env: io.env, phases: ['build', 'push', 'release'] },
    );
    const ordered = targets.map((r) => results.get(r.name) ?? failedResult(r, aws.region, 'not started (--fail-fast)'));
    const failed = ordered.filter((r) => r.status === 'FAILED');
    const header = `${values['dry-run'] ? 'dry run: ' : ''}${env}, source ${version}, ${strategy.name}: ${count(ordered, 'PUBLISHED')} published, ${count(ordered, 'INTACT')} intact${values['dry-run'] ? `, ${count(ordered, 'PLANNED')} to change` : ''}, ${failed.length} failed`;
    io.out(values.json ? JSON.stringify(deployJson(ordered, { env, sourceVersion: version, dryRun: ctx.dryRun, strategy: strategy.name }), null, 2) : deploySummary(ordered, header));
    for (const r of failed) io.err(`lci: function ${r.name} (${r.functionName}): ${r.error}`);
    if (!ctx.dryRun && ordered.some((r) => r.status === 'PUBLISHED' || r.status === 'FAILED')) {
      const slack = await notifySlack(project.notify.slackWebhookEnv, io.env, { env, sourceVersion: version, results: ordered });
      if (!slack.sent && io.env[project.notify.slackWebhookEnv]) io.err(`lci: warning: Slack notification not sent: ${slack.detail}; the deploy result stands`);
    }
    return failed.length > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

function count(results: FunctionDeployResult[], status: string): number {
  return results.filter((r) => r.status === status).length;
}
