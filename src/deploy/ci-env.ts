import picomatch from 'picomatch';
import { UsageError } from '../errors.js';
import type { Project } from '../config/types.js';
import { sourceVersionProblem } from '../aws/version-record.js';

/** The git ref the CI run is for: CodeBuild's webhook trigger, else GitHub's GITHUB_REF. */
export function ciRef(env: NodeJS.ProcessEnv): { kind: 'branch' | 'tag'; name: string; from: string } | null {
  const trigger = env.CODEBUILD_WEBHOOK_TRIGGER;
  if (trigger) {
    const m = /^(branch|tag)\/(.+)$/.exec(trigger);
    if (m) return { kind: m[1] as 'branch' | 'tag', name: m[2]!, from: 'CODEBUILD_WEBHOOK_TRIGGER' };
  }
  const ref = env.GITHUB_REF;
  if (ref) {
    const m = /^refs\/(heads|tags)\/(.+)$/.exec(ref);
    if (m) return { kind: m[1] === 'heads' ? 'branch' : 'tag', name: m[2]!, from: 'GITHUB_REF' };
  }
  return null;
}

/** --env auto: the one environment whose branch or tag glob matches the CI ref. */
export function autoEnvironment(project: Project, env: NodeJS.ProcessEnv): string {
  const ref = ciRef(env);
  if (!ref)
    throw new UsageError(
      '--env auto needs the CI ref: CODEBUILD_WEBHOOK_TRIGGER (branch/NAME or tag/NAME) or GITHUB_REF (refs/heads/NAME or refs/tags/NAME); or pass --env NAME',
    );
  const matches = Object.values(project.environments).filter((e) => {
    const glob = ref.kind === 'branch' ? e.branch : e.tag;
    return glob !== null && picomatch.isMatch(ref.name, glob);
  });
  if (matches.length === 1) return matches[0]!.name;
  const what = `${ref.kind} ${ref.name} (${ref.from})`;
  if (matches.length === 0)
    throw new UsageError(
      `--env auto: no environment deploys ${what}; environments: ${Object.values(project.environments)
        .map((e) => `${e.name} (${e.branch ? `branch ${e.branch}` : `tag ${e.tag}`})`)
        .join(', ')}`,
    );
  throw new UsageError(
    `--env auto: ${what} matches several environments (${matches.map((e) => e.name).join(', ')}); pass --env NAME`,
  );
}

/** --source-version, else CodeBuild's resolved source version, GitHub's GITHUB_SHA, or git's HEAD. */
export async function sourceVersion(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  /** git's HEAD, or null outside a repository. */
  head: () => Promise<string | null>,
): Promise<string> {
  const from =
    flag !== undefined
      ? '--source-version'
      : env.CODEBUILD_RESOLVED_SOURCE_VERSION
        ? 'CODEBUILD_RESOLVED_SOURCE_VERSION'
        : env.GITHUB_SHA
          ? 'GITHUB_SHA'
          : 'git HEAD';
  const v = flag ?? env.CODEBUILD_RESOLVED_SOURCE_VERSION ?? env.GITHUB_SHA ?? (await head());
  if (!v)
    throw new UsageError('no source version: pass --source-version V (outside a git repository lci cannot take HEAD)');
  const problem = sourceVersionProblem(v);
  if (problem) throw new UsageError(`source version '${v.slice(0, 140)}' (from ${from}) ${problem}`);
  return v;
}
