import { loadProject } from '../config/load.js';
import type { Command } from './command.js';

interface Values {
  config?: string;
}

export const validateCommand: Command<Values> = {
  name: 'validate',
  summary: 'Check lambdas.yaml: schema, unknown keys, paths and descriptors, globs, environments, AWS names. Exit 2 with every problem as FILE:LINE:COL: message.',
  usage: 'lci validate [--config FILE]',
  options: {},
  help: [],
  async run(values, _positionals, io) {
    const { project, source } = await loadProject({ cwd: io.cwd, config: values.config });
    const fns = Object.keys(project.functions).length;
    const envs = Object.keys(project.environments).length;
    io.out(`${source.displayPath}: ok (${fns} function${fns === 1 ? '' : 's'}, ${envs} environment${envs === 1 ? '' : 's'})`);
    return 0;
  },
};
