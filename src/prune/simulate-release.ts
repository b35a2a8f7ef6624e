import { layerDescription } from '../aws/version-record.js';
import type { FunctionPlan } from '../release/plan.js';
import {
  planLeftovers,
  planVersions,
  type Leftovers,
  type LiveLayerVersion,
  type LiveVersion,
  type PruneInput,
} from './prune-plan.js';

/** What of a function's release plan changes what prune reads. */
export type PlannedRelease = Pick<FunctionPlan, 'alias' | 'description' | 'layers' | 'deps'>;

/**
 * What prune would read once the release is applied, from what it reads now. Pure. The alias
 * serves the release's version alone (no weights): one already published with the plan's
 * Description (a shift to resume), else a new one numbered above every version. Its record names
 * the version the alias served as the previous one, so that version is the rollback target. It
 * and $LATEST run with the plan's layers (or keep $LATEST's); an own layer version still to be
 * published becomes the newest of its layer. `released` is the version the alias moves to.
 */
export function withRelease(input: PruneInput, release: PlannedRelease): { input: PruneInput; released: string } {
  const numbered = input.versions.map((v) => Number(v.version)).filter(Number.isFinite);
  const found = input.versions.find((v) => v.description === release.description);
  const released = found?.version ?? String(Math.max(0, ...numbered) + 1);
  const layerVersions = [...input.layerVersions];
  const layers = (release.layers ?? input.latestLayers.map((arn) => ({ arn }))).map((slot) => {
    if (slot.arn !== null) return slot.arn;
    if ('own' in slot && release.deps.key !== null) {
      const newest = Math.max(0, ...input.layerVersions.filter((l) => l.layerName === slot.own).map((l) => l.version));
      const published: LiveLayerVersion = {
        layerName: slot.own,
        version: newest + 1,
        arn: `${slot.own}:${newest + 1} (to publish)`,
        description: layerDescription(release.deps.key, ''),
      };
      layerVersions.push(published);
      return published.arn;
    }
    return `${'shared' in slot ? slot.shared : ''} (to publish)`;
  });
  const version: LiveVersion = {
    version: released,
    description: release.description,
    lastModified: new Date(input.now).toISOString(),
    codeSize: 0,
    layers,
  };
  const others = input.aliases.filter((a) => a.name !== release.alias);
  return {
    released,
    input: {
      ...input,
      versions: found ? input.versions : [...input.versions, version],
      latestLayers: layers,
      aliases: [...others, { name: release.alias, version: released, weights: {} }],
      layerVersions,
    },
  };
}

/** The versions and leftovers prune would delete once the release is applied, decided from what is live now. Pure. */
export function prunedAfterRelease(now: PruneInput, release: PlannedRelease): { versions: string[]; left: Leftovers } {
  const after = withRelease(now, release).input;
  const versions = planVersions(after)
    .filter((v) => v.action === 'DELETE')
    .map((v) => v.version);
  return { versions, left: planLeftovers(after, versions) };
}
