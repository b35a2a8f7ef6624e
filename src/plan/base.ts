import { readFileSync } from 'node:fs';

/** Where the base revision of a plan comes from, in order: flag, LCI_BASE, the CI's own variables. */
export interface BaseChoice {
  rev: string;
  from: string;
  /** Typed by a person (--base, LCI_BASE) rather than given by a CI system. */
  typed: boolean;
}

export const ZERO_SHA = /^0{40}$|^0{64}$/;
/** A full commit id: when one is absent, history is missing (a shallow clone), not mistyped. */
export const FULL_SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

export function chooseBase(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  readText = (p: string) => readFileSync(p, 'utf8'),
): BaseChoice | null {
  if (flag) return { rev: flag, from: '--base', typed: true };
  if (env.LCI_BASE) return { rev: env.LCI_BASE, from: 'LCI_BASE', typed: true };
  if (env.CODEBUILD_WEBHOOK_PREV_COMMIT)
    return { rev: env.CODEBUILD_WEBHOOK_PREV_COMMIT, from: 'CODEBUILD_WEBHOOK_PREV_COMMIT', typed: false };
  if (env.GITHUB_EVENT_PATH) {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(readText(env.GITHUB_EVENT_PATH)) as Record<string, unknown>;
    } catch {
      return null;
    }
    const pr = event.pull_request as { base?: { sha?: unknown } } | undefined;
    if (typeof pr?.base?.sha === 'string') return { rev: pr.base.sha, from: 'GitHub pull_request base', typed: false };
    if (typeof event.before === 'string') return { rev: event.before, from: 'GitHub push before', typed: false };
  }
  return null;
}

export const NO_BASE_HELP =
  'no base revision to compare against: pass --base REV (e.g. --base origin/main), set LCI_BASE, ' +
  'run in CodeBuild (CODEBUILD_WEBHOOK_PREV_COMMIT) or GitHub Actions (GITHUB_EVENT_PATH), or use --all';
