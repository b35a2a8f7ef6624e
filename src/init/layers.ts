import { DEFAULT_DESCRIPTOR, RUNTIMES, type Runtime, type RuntimeFamily, runtimeFamily } from '../config/runtimes.js';
import { ENV } from './intrinsics.js';
import type { DeclaredLayer, Unmapped } from './model.js';
import {
  configPath,
  type Entry,
  kebab,
  type MapInput,
  type MappedLayer,
  type PlanNote,
  type RepoFacts,
} from './plan.js';

/**
 * Shared layers (top-level `layers:`) from the layer versions with local content the sources
 * declare: runtimes and architectures as declared, else those of the functions that use them; a
 * descriptor to build from, or a committed python/ or nodejs/ tree shipped as it is.
 */

export function mapLayers(
  declared: Map<string, DeclaredLayer>,
  entries: Entry[],
  input: MapInput,
  envNames: string[],
  unmapped: Unmapped[],
  notes: PlanNote[],
): { byKey: Map<string, MappedLayer>; mapped: MappedLayer[]; config: Record<string, unknown> | null } {
  const byKey = new Map<string, MappedLayer>();
  const mapped: MappedLayer[] = [];
  const config: Record<string, unknown> = {};
  const taken = new Set<string>();
  for (const layer of declared.values()) {
    const users = entries.filter((e) => e.df.layers.includes(layer.key));
    const lciRuntimes = layer.runtimes.filter((r): r is Runtime => (RUNTIMES as readonly string[]).includes(r));
    let runtimes: Runtime[] = lciRuntimes.length > 0 ? lciRuntimes : [...new Set(users.map((u) => u.runtime))];
    if (runtimes.length === 0) {
      unmapped.push({
        origin: layer.origin,
        reason:
          layer.runtimes.length > 0
            ? `compatible runtimes ${layer.runtimes.join(', ')}: none of them is one lci builds`
            : 'no compatible runtimes declared, and no function lci init mapped uses it',
      });
      continue;
    }
    const family = runtimeFamily(runtimes[0]!);
    runtimes = runtimes.filter((r) => runtimeFamily(r) === family);
    for (const u of users)
      if (!runtimes.includes(u.runtime) && runtimeFamily(u.runtime) === family) runtimes.push(u.runtime);
    const content = layerContent(layer.contentDir, family, input.facts);
    if ('problem' in content) {
      unmapped.push({ origin: layer.origin, reason: content.problem });
      continue;
    }
    const name = uniqueLayerName(layer.id, taken);
    const entry: Record<string, unknown> = { path: configPath(input.configDir, layer.contentDir), runtimes };
    const archs = layer.architectures.filter((a) => a === 'x86_64' || a === 'arm64');
    const userArchs = [...new Set(users.map((u) => (u.fields.architecture as string | undefined) ?? 'x86_64'))];
    const architectures = archs.length > 0 ? [...archs] : userArchs;
    for (const a of userArchs) if (!architectures.includes(a)) architectures.push(a);
    if (!(architectures.length === 1 && architectures[0] === 'x86_64') && architectures.length > 0)
      entry.architectures = architectures;
    if (content.build) {
      entry.descriptor = false;
      entry.build = content.build;
      notes.push({
        origin: layer.origin,
        at: ['layers', name, 'build'],
        message: `the layer's ${content.build.output === '.lci-layer' ? 'files are' : 'content is'} copied as committed (no descriptor to install from)`,
      });
    }
    if (layer.layerName.kind === 'fixed') {
      const v = layer.layerName.value;
      entry.layerName = v.includes(ENV) || envNames.length === 1 ? v : `${v}-${ENV}`;
      if (entry.layerName !== v)
        notes.push({
          origin: layer.origin,
          at: ['layers', name, 'layerName'],
          message: `'${v}' with -\${env}: a shared layer's name differs between environments`,
        });
    }
    config[name] = entry;
    const m: MappedLayer = {
      name,
      origin: layer.origin,
      path: entry.path as string,
      runtimes,
      usedBy: users.map((u) => u.name),
    };
    mapped.push(m);
    byKey.set(layer.key, m);
  }
  return { byKey, mapped, config: mapped.length > 0 ? config : null };
}

function layerContent(
  dir: string,
  family: RuntimeFamily,
  facts: RepoFacts,
): { build: { command: string; output: string } | null } | { problem: string } {
  const descriptor = DEFAULT_DESCRIPTOR[family];
  if (descriptor && facts.filesIn(dir).includes(descriptor)) return { build: null };
  const top = family === 'python' ? 'python' : family === 'nodejs' ? 'nodejs' : null;
  if (top && facts.subdirs(dir).includes(top))
    return { build: { command: `mkdir -p .lci-layer && cp -R ${top} .lci-layer/`, output: '.lci-layer' } };
  return {
    problem: `its directory has no ${descriptor ?? 'descriptor'} to build from and no ${top ?? 'layer'}/ directory of files to ship: write the layer's build.command in lambdas.yaml by hand`,
  };
}

function uniqueLayerName(id: string, taken: Set<string>): string {
  const base = kebab(id, 'layer');
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}-${i}`;
  taken.add(name);
  return name;
}
