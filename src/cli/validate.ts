import { loadProject } from '../config/load.js';
import type { Command } from './command.js';

interface Values {
  config?: string;
}

export const validateCommand: Command<Values> = {
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
