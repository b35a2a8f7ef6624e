import { canonical } from '../config/canonical.js';
import type { Project } from '../config/types.js';

export interface ConfigDiff {
  changed: string[];
  added: string[];
  removed: string[];
}

/**
 * Which functions a change to the config file touches: those whose resolved configuration
 * (any environment, with the artifact store and shared globs they inherit) differs. Pure.
 */
export function diffConfigs(base: Project, head: Project): ConfigDiff {
  const out: ConfigDiff = { changed: [], added: [], removed: [] };
  for (const name of Object.keys(head.functions)) {
    if (!(name in base.functions)) out.added.push(name);
    else if (fingerprint(base, name) !== fingerprint(head, name)) out.changed.push(name);
  }
  for (const name of Object.keys(base.functions)) if (!(name in head.functions)) out.removed.push(name);
  return out;
}

function fingerprint(project: Project, name: string): string {
  return canonical({ artifacts: project.artifacts, shared: project.shared, envs: project.functions[name]!.envs });
}
