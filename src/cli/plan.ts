import { appendFileSync } from 'node:fs';
import { ExitCode, UsageError } from '../errors.js';
import { plan, type PlanOptions } from '../plan/plan.js';
import { affectedNames, planJson, planTable } from '../plan/report.js';
import type { Command } from './command.js';
import { AWS_OPTIONS, clientsFor, type AwsValues } from './shared.js';

interface Values extends AwsValues {
  config?: string;
  base?: string;
  head?: string;
  env?: string;
  all?: boolean;
  json?: boolean;
  'github-output'?: boolean;
  'exit-code'?: boolean;
  since?: string;
}

async function sinceDeployed(values: Values, options: PlanOptions) {
  if (values.since !== 'deployed') throw new UsageError(`--since ${values.since}: the only value is 'deployed'`);
  if (!values.env) throw new UsageError('--since deployed needs --env NAME: each environment serves its own versions');
  if (values.base || values.all) throw new UsageError('--since deployed takes the base from Lambda; leave out --base and --all');
  const [{ planSinceDeployed }, { loadProject }] = await Promise.all([import('../plan/since-deployed.js'), import('../config/load.js')]);
  const { project } = await loadProject({ cwd: options.cwd, config: options.config });
  const aws = await clientsFor(values, options.environ, project.artifacts.region);
  return planSinceDeployed({ ...options, env: values.env }, project, aws.lambda);
}

export const planCommand: Command<Values> = {
  usage: 'lci plan [--base REV | --since deployed] [--head REV] [--env NAME] [--all] [--json] [--github-output] [--exit-code]',
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    env: { type: 'string', short: 'e' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    'github-output': { type: 'boolean' },
    'exit-code': { type: 'boolean' },
    since: { type: 'string' },
    ...AWS_OPTIONS,
  },
  help: [
    ['--base REV', 'compare from this revision (default: $LCI_BASE, then CodeBuild/GitHub Actions variables)'],
    ['--head REV', 'compare up to this revision (default: HEAD)'],
    ['-e, --env NAME', 'plan for one environment: show AWS names, leave out functions it skips'],
    ['--all', 'select every function without looking at git'],
    ['--json', 'print the plan as JSON (see README for the format)'],
    ['--github-output', 'append functions=<json array> to $GITHUB_OUTPUT'],
    ['--exit-code', 'exit 3 when no function is affected'],
    ['--since deployed', 'per function, compare from the source version its alias serves (needs --env; reads Lambda)'],
    ['--profile, --region, --endpoint-url', 'AWS settings for --since deployed, as for deploy'],
  ],
  async run(values, _positionals, io) {
    if (values['github-output'] && !io.env.GITHUB_OUTPUT) {
      throw new UsageError('--github-output: GITHUB_OUTPUT is not set; it is set inside GitHub Actions steps');
    }
    const options = { cwd: io.cwd, config: values.config, base: values.base, head: values.head, env: values.env, all: values.all, environ: io.env };
    const result = values.since === undefined ? await plan(options) : await sinceDeployed(values, options);
    io.out(values.json ? planJson(result) : planTable(result));
    const names = affectedNames(result);
    if (values['github-output']) appendFileSync(io.env.GITHUB_OUTPUT!, `functions=${JSON.stringify(names)}\n`);
    return values['exit-code'] && names.length === 0 ? ExitCode.nothingAffected : ExitCode.ok;
  },
};
