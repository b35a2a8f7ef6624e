import { appendFileSync } from 'node:fs';
import { ExitCode, UsageError } from '../errors.js';
import { plan } from '../plan/plan.js';
import { affectedNames, planJson, planTable } from '../plan/report.js';
import type { Command } from './command.js';

interface Values {
  config?: string;
  base?: string;
  head?: string;
  env?: string;
  all?: boolean;
  json?: boolean;
  'github-output'?: boolean;
  'exit-code'?: boolean;
}

export const planCommand: Command<Values> = {
  name: 'plan',
  summary: 'List the functions a git change touches, and why.',
  usage: 'lci plan [--base REV] [--head REV] [--env NAME] [--all] [--json] [--github-output] [--exit-code]',
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    env: { type: 'string', short: 'e' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
    'github-output': { type: 'boolean' },
    'exit-code': { type: 'boolean' },
  },
  help: [
    ['--base REV', 'compare from this revision (default: $LCI_BASE, then CodeBuild/GitHub Actions variables)'],
    ['--head REV', 'compare up to this revision (default: HEAD)'],
    ['-e, --env NAME', 'plan for one environment: show AWS names, leave out functions it skips'],
    ['--all', 'select every function without looking at git'],
    ['--json', 'print the plan as JSON (see README for the format)'],
    ['--github-output', 'append functions=<json array> to $GITHUB_OUTPUT'],
    ['--exit-code', 'exit 3 when no function is affected'],
  ],
  async run(values, _positionals, io) {
    if (values['github-output'] && !io.env.GITHUB_OUTPUT) {
      throw new UsageError('--github-output: GITHUB_OUTPUT is not set; it is set inside GitHub Actions steps');
    }
    const result = await plan({
      cwd: io.cwd,
      config: values.config,
      base: values.base,
      head: values.head,
      env: values.env,
      all: values.all,
      environ: io.env,
    });
    io.out(values.json ? planJson(result) : planTable(result));
    const names = affectedNames(result);
    if (values['github-output']) appendFileSync(io.env.GITHUB_OUTPUT!, `functions=${JSON.stringify(names)}\n`);
    return values['exit-code'] && names.length === 0 ? ExitCode.nothingAffected : ExitCode.ok;
  },
};
