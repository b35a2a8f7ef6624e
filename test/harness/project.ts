import { projectFromText } from '../../src/config/load.js';
import type { Project } from '../../src/config/types.js';

/** A project from config text, without files or git: for the pure deciders' unit tests. */
export function projectOf(yaml: string, configDirInRepo = ''): Project {
  const r = projectFromText(yaml, '/repo/lambdas.yaml', 'lambdas.yaml', [], configDirInRepo, false);
  if (!r.ok) throw new Error(r.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`).join('\n'));
  return r.project;
}
