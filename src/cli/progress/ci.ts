/**
 * Whether lci runs in CI: any truthy CI (1, true, yes…; not 0, false or empty), or the
 * variables CodeBuild and GitHub Actions always set. CI logs get plain lines, never redraws.
 */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const ci = (env.CI ?? '').trim().toLowerCase();
  if (ci !== '' && ci !== '0' && ci !== 'false' && ci !== 'no') return true;
  return Boolean(
    env.CODEBUILD_BUILD_ID ||
      env.GITHUB_ACTIONS === 'true' ||
      env.BUILDKITE ||
      env.GITLAB_CI ||
      env.JENKINS_URL ||
      env.TF_BUILD,
  );
}
