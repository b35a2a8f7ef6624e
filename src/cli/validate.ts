import { loadProject } from '../config/load.js';
import { formatDiagnostic } from '../errors.js';
import { validateJson, validateText } from '../report/validate.js';
import type { Command } from './command.js';

export const validateCommand: Command<Record<string, never>> = {
  name: 'validate',
  summary:
    'Check lambdas.yaml: schema, unknown keys, paths and descriptors, globs, environments, AWS names. Exit 2 with every problem as FILE:LINE:COL: message.',
  usage: 'lci validate [--config FILE] [--json]',
  options: {},
  help: [],
  async run({ globals, io, warn }) {
    const loaded = await loadProject({ cwd: io.cwd, config: globals.config });
    const { project, source } = loaded;
    const warnings = loaded.warnings();
    if (!globals.json) for (const w of warnings) warn(formatDiagnostic(w));
    const summary = {
      config: source.displayPath,
      functions: Object.keys(project.functions).length,
      layers: Object.keys(project.layers).length,
      environments: Object.keys(project.environments).length,
      warnings,
    };
    io.out(globals.json ? validateJson(summary) : validateText(summary));
    return 0;
  },
};
