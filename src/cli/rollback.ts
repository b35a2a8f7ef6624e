import { connect } from '../aws/clients.js';
import { loadProject } from '../config/load.js';
import { selectTargets } from '../config/select.js';
import { rollback } from '../deploy/rollback.js';
import { ExitCode, UsageError } from '../errors.js';
import { rollbackJson, rollbackText } from '../report/rollback.js';
import { AWS_HELP, AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';

interface Values extends AwsValues {
  env?: string;
  to?: string;
}

export const rollbackCommand: Command<Values> = {
  name: 'rollback',
  summary: 'Move an alias back to the previous (or a given) version, guarded by its RevisionId.',
  usage: 'lci rollback FUNCTION --env NAME [--to VERSION] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: { env: { type: 'string', short: 'e' }, to: { type: 'string' }, ...AWS_OPTIONS },
  help: [
    ['FUNCTION', 'the function whose alias moves back'],
    ['-e, --env NAME', 'the environment (its alias)'],
    ['--to VERSION', 'this published version (default: the version published before the current one; during a traffic shift: stop it)'],
    ...AWS_HELP,
  ],
  async run({ values, positionals, globals, io }) {
    if (positionals.length !== 1) throw new UsageError('rollback takes exactly one FUNCTION');
    if (!values.env) throw new UsageError('rollback needs --env NAME');
    if (values.to !== undefined && !/^[1-9]\d*$/.test(values.to)) throw new UsageError(`--to ${values.to}: give a published version number`);
    const { project } = await loadProject({ cwd: io.cwd, config: globals.config });
    const [r] = selectTargets(project, positionals, values.env);
    const aws = await connect(awsOptions(values, io.env), project.artifacts.region);
    const result = await rollback(aws.lambda, r!, values.to);
    io.out(globals.json ? rollbackJson(result) : rollbackText(result));
    return ExitCode.ok;
  },
};
