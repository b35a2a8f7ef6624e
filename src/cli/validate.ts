import { loadProject } from '../config/load.js';
import { validateJson, validateText } from '../report/validate.js';
import type { Command } from './command.js';

export const validateCommand: Command<Record<string, never>> = {
  name: 'validate',
  summary:
    'Check lambdas.yaml: schema, unknown keys, paths and descriptors, globs, environments, AWS names. Exit 2 with every problem as FILE:LINE:COL: message.',
  usage: 'lci validate [--config FILE] [--json]',
  options: {},
  help: [],
  async run({ globals, io }) {
    const { project, source } = await loadProject({ cwd: io.cwd, config: globals.config });
    const summary = { config: source.displayPath, functions: Object.keys(project.functions).length, environments: Object.keys(project.environments).length };
    io.out(globals.json ? validateJson(summary) : validateText(summary));
    return 0;
  },
};
