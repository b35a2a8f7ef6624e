import { canonical } from '../config/canonical.js';
import type { Project } from '../config/types.js';

export interface ConfigDiff {
  changed: string[];
  added: string[];
  removed: string[];
  /** Shared layers whose configuration changed, or that are new. */
  layersChanged: string[];
  layersAdded: string[];
}

/**
 * Which functions a change to the config file touches: those whose resolved configuration
 * (with the artifact store and shared globs they inherit) differs, in any environment or, with
 * `env`, in that one only (an override for prod changes nothing for qa). A function an
 * environment newly deploys is added there; one it no longer deploys is removed. Pure.
 */
export function diffConfigs(base: Project, head: Project, env?: string): ConfigDiff {
  const out: ConfigDiff = { changed: [], added: [], removed: [], layersChanged: [], layersAdded: [] };
  const layer = (p: Project, name: string) =>
    canonical(env === undefined ? p.layers[name]?.envs : p.layers[name]?.envs[env]);
  for (const name of Object.keys(head.layers)) {
    if (!base.layers[name]) out.layersAdded.push(name);
    else if (layer(base, name) !== layer(head, name)) out.layersChanged.push(name);
  }
  const present = (p: Project, name: string) =>
    name in p.functions && (env === undefined || p.functions[name]!.envs[env] !== undefined);
  for (const name of Object.keys(head.functions)) {
    if (!present(head, name)) continue;
    if (!present(base, name)) out.added.push(name);
    else if (fingerprint(base, name, env) !== fingerprint(head, name, env)) out.changed.push(name);
  }
  for (const name of Object.keys(base.functions))
    if (present(base, name) && !present(head, name)) out.removed.push(name);
  return out;
}

function fingerprint(project: Project, name: string, env: string | undefined): string {
  const envs = project.functions[name]!.envs;
  return canonical({
    artifacts: project.artifacts,
    shared: project.shared,
    envs: env === undefined ? envs : envs[env],
  });
}
