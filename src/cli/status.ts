import { connect } from '../aws/clients.js';
import { loadProject } from '../config/load.js';
import { targetsInEnvironments } from '../config/select.js';
import { functionStatus } from '../status/status.js';
import { runPool } from '../pool.js';
import { statusJson, statusText } from '../report/status.js';
import { codeStorage } from '../aws/lambda.js';
import { storageFull, storageLine } from '../report/prune.js';
import { awsOptions, LAMBDA_HELP, LAMBDA_OPTIONS, type AwsValues } from './aws-flags.js';
import type { Command } from './command.js';

interface Values extends AwsValues {
  env?: string;
}

const READS_AT_ONCE = 16;

export const statusCommand: Command<Values> = {
  name: 'status',
  summary: 'Show what each alias serves: version, source version, layer version, CodeSha256, traffic shift.',
  usage:
    'lci status [FUNCTION...] [--env NAME] [--json] [--rate R[,G]] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  positionalHint: 'functions',
  options: { env: { type: 'string', short: 'e' }, ...LAMBDA_OPTIONS },
  help: [
    ['FUNCTION...', 'these functions (default: all)'],
    ['-e, --env NAME', 'one environment (LCI_ENV; default: every environment)'],
    ...LAMBDA_HELP,
  ],
  async run({ values, positionals, globals, io, warn, style }) {
    const { project } = await loadProject({ cwd: io.cwd, config: globals.config });
    const targets = targetsInEnvironments(
      project,
      positionals,
      values.env ? [values.env] : Object.keys(project.environments),
    );
    const aws = await connect(awsOptions(values, io.env), project.artifacts.region);
    const [rows, storage] = await Promise.all([
      runPool(targets, READS_AT_ONCE, (r) => functionStatus(aws.lambda, r, project.environments[r.env]!.codeStorage)),
      codeStorage(aws.lambda),
    ]);
    io.out(globals.json ? statusJson(rows, storage) : statusText(rows, storage, style));
    if (storageFull(storage))
      warn(`${storageLine(storage)}: above 80% of the limit, and every deploy adds versions; run lci prune`);
    return 0;
  },
};
