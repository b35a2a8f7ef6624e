import { connect } from '../aws/clients.js';
import { loadProject } from '../config/load.js';
import { selectTargets } from '../config/select.js';
import { applyRollback, planRollback, resultOf } from '../rollback/rollback.js';
import { ExitCode, UsageError } from '../errors.js';
import { rollbackJson, rollbackText } from '../report/rollback.js';
import { AWS_HELP, AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';
import { confirmMove } from './confirm.js';

interface Values extends AwsValues {
  env?: string;
  to?: string;
  'dry-run'?: boolean;
  yes?: boolean;
}

export const rollbackCommand: Command<Values> = {
  name: 'rollback',
  summary: 'Move an alias back to the version it served before (or a given one), guarded by its RevisionId.',
  usage:
    'lci rollback FUNCTION --env NAME [--to VERSION] [--dry-run] [--yes] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: {
    env: { type: 'string', short: 'e' },
    to: { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...AWS_OPTIONS,
  },
  help: [
    ['FUNCTION', 'the function whose alias moves back'],
    ['-e, --env NAME', 'the environment (LCI_ENV): its alias'],
    [
      '--to VERSION',
      'this published version (default: the version served before the current one, as recorded; during a traffic shift: stop it)',
    ],
    ['--dry-run', 'read AWS and say where the alias would move; move nothing'],
    ['-y, --yes', 'no question for an environment with confirm: true (required without a terminal)'],
    ...AWS_HELP,
  ],
  async run({ values, positionals, globals, io }) {
    if (positionals.length !== 1) throw new UsageError('rollback takes exactly one FUNCTION');
    if (!values.env) throw new UsageError('rollback needs --env NAME (or LCI_ENV)');
    if (values.to !== undefined && !/^[1-9]\d*$/.test(values.to))
      throw new UsageError(`--to ${values.to}: give a published version number`);
    const { project } = await loadProject({ cwd: io.cwd, config: globals.config });
    const [r] = selectTargets(project, positionals, values.env);
    const aws = await connect(awsOptions(values, io.env), project.artifacts.region);
    const plan = await planRollback(aws.lambda, r!, values.to);
    const dryRun = values['dry-run'] === true;
    if (!dryRun) {
      await confirmMove(
        io,
        project.environments[values.env]!,
        values.yes === true,
        `Move alias ${plan.alias} of ${plan.awsName} (${plan.env}) from version ${plan.from.version} to ${plan.to}?`,
      );
    }
    const result = dryRun ? resultOf(plan, true) : await applyRollback(aws.lambda, plan);
    io.out(globals.json ? rollbackJson(result) : rollbackText(result));
    return ExitCode.ok;
  },
};
