import picomatch from 'picomatch';
import type { Environment } from '../config/types.js';

/**
 * `lci deploy --only-matching-ref`: whether the commit a pipeline run carries is a release of the
 * environment. A new CodePipeline runs once from the head of its source branch when it is created,
 * and can be started by hand: without this gate, applying the prod pipeline would deploy `main` to
 * prod. A tag environment releases only a commit that carries a tag matching its glob; a branch
 * environment only a run for a branch that matches its glob. Pure: the caller reads git and CI.
 */

export type ReleaseDecision = { release: true; ref: string } | { release: false; reason: string };

export interface RefFacts {
  commit: string;
  /** The branch the run is for (CodePipeline's BranchName), or null when nobody said. */
  branch: string | null;
  /** Tags pointing at the commit. */
  tags: string[];
}

export function releaseDecision(env: Pick<Environment, 'name' | 'branch' | 'tag'>, facts: RefFacts): ReleaseDecision {
  const short = facts.commit.slice(0, 12);
  if (env.tag !== null) {
    const isMatch = picomatch(env.tag, { dot: true });
    const tag = facts.tags.find((t) => isMatch(t));
    if (tag) return { release: true, ref: `tag ${tag}` };
    const carried = facts.tags.length > 0 ? `carries only ${facts.tags.join(', ')}` : 'carries no tag';
    return { release: false, reason: `commit ${short} ${carried}; ${env.name} releases tags matching ${env.tag}` };
  }
  const glob = env.branch ?? '';
  if (facts.branch === null)
    return {
      release: false,
      reason: `no branch given for commit ${short} (--branch); ${env.name} releases branches matching ${glob}`,
    };
  if (picomatch.isMatch(facts.branch, glob, { dot: true })) return { release: true, ref: `branch ${facts.branch}` };
  return { release: false, reason: `branch ${facts.branch} does not match ${glob}, the branch glob of ${env.name}` };
}
