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

/** JSON with object keys sorted, so key order in the YAML does not count as a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
