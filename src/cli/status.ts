import { buildTargets } from '../build/targets.js';
import { loadProject } from '../config/load.js';
import type { ResolvedFunction } from '../config/types.js';
import { functionStatus, statusTable } from '../deploy/status.js';
import type { Command } from './command.js';
import { AWS_HELP, AWS_OPTIONS, clientsFor, type AwsValues } from './shared.js';

interface Values extends AwsValues {
  config?: string;
  env?: string;
  json?: boolean;
}

export const statusCommand: Command<Values> = {
  usage: 'lci status [FUNCTION...] [--env NAME] [--json] [--profile P] [--region R] [--endpoint-url URL]',
  allowPositionals: true,
  options: { env: { type: 'string', short: 'e' }, json: { type: 'boolean' }, ...AWS_OPTIONS },
  help: [
    ['FUNCTION...', 'these functions (default: all)'],
    ['-e, --env NAME', 'one environment (default: every environment)'],
    ['--json', 'print JSON'],
    ...AWS_HELP,
  ],
  async run(values, positionals, io) {
    const { project } = await loadProject({ cwd: io.cwd, config: values.config });
    const envs = values.env ? [values.env] : Object.keys(project.environments);
    const targets: ResolvedFunction[] = [];
    for (const env of envs) targets.push(...(positionals.length > 0 ? buildTargets(project, positionals, env) : Object.values(project.functions).flatMap((f) => (f.envs[env] ? [f.envs[env]!] : []))));
    const aws = await clientsFor(values, io.env, project.artifacts.region);
    const rows = await Promise.all(targets.map((r) => functionStatus(aws.lambda, r)));
    io.out(values.json ? JSON.stringify({ functions: rows }, null, 2) : statusTable(rows));
    return 0;
  },
};
