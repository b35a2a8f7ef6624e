import { parseTimeout } from '../config/resolve.js';
import type { ResolvedFunction } from '../config/types.js';

/** CodeBuild's range for a project's timeoutInMinutes (CreateProject API reference: 5 to 2160, 36 hours). */
export const MAX_CODEBUILD_MINUTES = 2160;
/** What every generated CodeBuild project allowed before build.timeout existed; still the least. */
export const MIN_CODEBUILD_MINUTES = 30;
/** Time beside the build containers: installing lci, downloads and uploads, the release. */
export const BESIDE_BUILDS_MINUTES = 15;

/**
 * How long the CodeBuild project of a function's pipeline may run: the longest build.timeout of
 * its containers (its dependency layer, its build command, the shared layers it uses; they run at
 * the same time) plus the time beside them, at least 30 minutes, so that lci, not CodeBuild, stops
 * a build that hangs, with its one line. `capped`: CodeBuild's 36 hours are less than that. Pure.
 */
export function codebuildTimeoutMinutes(r: Pick<ResolvedFunction, 'build' | 'layers'>): {
  minutes: number;
  capped: boolean;
} {
  const longest = Math.max(
    ...[r.build, ...r.layers.map((l) => l.build)].map((b) => Math.ceil(parseTimeout(b.timeout) / 60_000)),
  );
  const wanted = Math.max(MIN_CODEBUILD_MINUTES, longest + BESIDE_BUILDS_MINUTES);
  return { minutes: Math.min(wanted, MAX_CODEBUILD_MINUTES), capped: wanted > MAX_CODEBUILD_MINUTES };
}
