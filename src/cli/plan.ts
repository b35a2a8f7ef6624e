import { loadProject } from '../config/load.js';
import { ExitCode, UsageError } from '../errors.js';
import { appendNamedFile } from '../named-file.js';
import { affectedNames, planProject } from '../plan/plan.js';
import { revisionsAhead } from '../plan/revisions.js';
import type { PlanResult } from '../plan/types.js';
import { planJson, planTable } from '../report/plan.js';
import { AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command, Io } from './command.js';

interface Values extends AwsValues {
  base?: string;
  head?: string;
  env?: string;
  all?: boolean;
  'github-output'?: boolean;
  'exit-code'?: boolean;
  since?: string;
}

export const planCommand: Command<Values> = {
  name: 'plan',
  summary: 'List the functions a git change touches, and why.',
  usage:
    'lci plan [--base REV | --since deployed] [--head REV] [--env NAME] [--all] [--json] [--github-output] [--exit-code]',
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    env: { type: 'string', short: 'e' },
    all: { type: 'boolean' },
    'github-output': { type: 'boolean' },
    'exit-code': { type: 'boolean' },
    since: { type: 'string' },
    ...AWS_OPTIONS,
  },
  help: [
    ['--base REV', 'compare from this revision (default: $LCI_BASE, then CodeBuild/GitHub Actions variables)'],
    ['--head REV', 'compare up to this revision (default: HEAD)'],
    ['-e, --env NAME', 'plan for one environment (LCI_ENV): show AWS names, leave out functions it skips'],
    ['--all', 'select every function without looking at git'],
    ['--github-output', 'append functions=<json array> to $GITHUB_OUTPUT'],
    ['--exit-code', 'exit 3 when no function is affected'],
    ['--since deployed', 'per function, compare from the source version its alias serves (needs --env; reads Lambda)'],
    ['--profile, --region, --endpoint-url', 'AWS settings for --since deployed, as for deploy'],
  ],
  async run({ values, globals, io }) {
    if (values['github-output'] && !io.env.GITHUB_OUTPUT) {
      throw new UsageError('--github-output: GITHUB_OUTPUT is not set; it is set inside GitHub Actions steps');
    }
    // Checked before any work, so a path that is no file to append to (a FIFO, a directory) stops nothing half-done.
    if (values['github-output']) appendOutput(io.env.GITHUB_OUTPUT!, '');
    if (values.since !== undefined) {
      if (values.since !== 'deployed') throw new UsageError(`--since ${values.since}: the only value is 'deployed'`);
      if (!values.env)
        throw new UsageError('--since deployed needs --env NAME: each environment serves its own versions');
      if (values.base || values.all)
        throw new UsageError('--since deployed takes the base from Lambda; leave out --base and --all');
    }
    const result =
      values.since === undefined
        ? await plan(values, globals.config, io)
        : await planSinceDeployed(values, globals.config, io);
    io.out(globals.json ? planJson(result) : planTable(result));
    const names = affectedNames(result);
    if (values['github-output']) appendOutput(io.env.GITHUB_OUTPUT!, `functions=${JSON.stringify(names)}\n`);
    return values['exit-code'] && names.length === 0 ? ExitCode.nothingAffected : ExitCode.ok;
  },
};

function appendOutput(path: string, text: string): void {
  const problem = appendNamedFile(path, text);
  if (problem)
    throw new UsageError(
      `GITHUB_OUTPUT=${path} ${problem}; it should name the file GitHub Actions gives each step: unset it, or leave out --github-output`,
    );
}

/** git's diff runs while the config loads: in a large repository both take seconds. */
async function plan(values: Values, config: string | undefined, io: Io): Promise<PlanResult> {
  const stop = new AbortController();
  const revisions = { base: values.base, head: values.head, environ: io.env, signal: stop.signal };
  const ahead = values.all ? undefined : await revisionsAhead(io.cwd, revisions);
  try {
    const loaded = await loadProject({ cwd: io.cwd, config, ...(ahead ? { gitRoot: ahead.root } : {}) });
    return await planProject(loaded, { ...revisions, env: values.env, all: values.all, ahead });
  } finally {
    stop.abort();
  }
}

async function planSinceDeployed(values: Values, config: string | undefined, io: Io): Promise<PlanResult> {
  const loaded = await loadProject({ cwd: io.cwd, config });
  return (await import('../plan/deployed.js')).planSinceDeployedCommand(
    loaded,
    values.env!,
    awsOptions(values, io.env),
  );
}
