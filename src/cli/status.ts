import { connect } from '../aws/clients.js';
import { loadProject } from '../config/load.js';
import { targetsInEnvironments } from '../config/select.js';
import { functionStatus } from '../deploy/status.js';
import { runPool } from '../pool.js';
import { statusJson, statusText } from '../report/status.js';
import { AWS_HELP, AWS_OPTIONS, awsOptions, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';

interface Values extends AwsValues {
  env?: string;
}

const READS_AT_ONCE = 16;

export const statusCommand: Command<Values> = {
  name: 'status',
  summary: 'Show what each alias serves: version, source version, layer version, CodeSha256, traffic shift.',
  usage: 'lci status [FUNCTION...] [--env NAME] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: { env: { type: 'string', short: 'e' }, ...AWS_OPTIONS },
  help: [['FUNCTION...', 'these functions (default: all)'], ['-e, --env NAME', 'one environment (default: every environment)'], ...AWS_HELP],
  async run({ values, positionals, globals, io }) {
    const { project } = await loadProject({ cwd: io.cwd, config: globals.config });
    const targets = targetsInEnvironments(project, positionals, values.env ? [values.env] : Object.keys(project.environments));
    const aws = await connect(awsOptions(values, io.env), project.artifacts.region);
    const rows = await runPool(targets, READS_AT_ONCE, (r) => functionStatus(aws.lambda, r));
    io.out(globals.json ? statusJson(rows) : statusText(rows));
    return 0;
  },
};
