import { UsageError } from '../errors.js';
import { readNamedFile, type NamedFile } from '../named-file.js';

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

/** GitHub caps a webhook payload at 25 MB; an event file above that is not one GitHub wrote. */
export const MAX_GITHUB_EVENT_BYTES = 25 * 1024 * 1024;

export function chooseBase(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  readEvent = (p: string): NamedFile =>
    readNamedFile(p, MAX_GITHUB_EVENT_BYTES, 'GitHub event payloads are at most 25 MB'),
): BaseChoice | null {
  if (flag) return { rev: flag, from: '--base', typed: true };
  if (env.LCI_BASE) return { rev: env.LCI_BASE, from: 'LCI_BASE', typed: true };
  if (env.CODEBUILD_WEBHOOK_PREV_COMMIT)
    return { rev: env.CODEBUILD_WEBHOOK_PREV_COMMIT, from: 'CODEBUILD_WEBHOOK_PREV_COMMIT', typed: false };
  if (env.GITHUB_EVENT_PATH) {
    const event = githubEvent(env.GITHUB_EVENT_PATH, readEvent);
    const pr = event.pull_request as { base?: { sha?: unknown } } | undefined;
    if (typeof pr?.base?.sha === 'string') return { rev: pr.base.sha, from: 'GitHub pull_request base', typed: false };
    if (typeof event.before === 'string') return { rev: event.before, from: 'GitHub push before', typed: false };
  }
  return null;
}

/** The event GitHub Actions wrote; a path that is not such a file is one line, whatever it names (a FIFO, /dev/zero). */
function githubEvent(path: string, readEvent: (p: string) => NamedFile): Record<string, unknown> {
  const file = readEvent(path);
  const fix = 'it should name the event file GitHub Actions writes: unset it, or pass --base REV';
  if (!file.ok) throw new UsageError(`GITHUB_EVENT_PATH=${path} ${file.problem}; ${fix}`);
  let event: unknown;
  try {
    event = JSON.parse(file.data.toString('utf8'));
  } catch (e) {
    throw new UsageError(`GITHUB_EVENT_PATH=${path} is not JSON (${(e as Error).message}); ${fix}`);
  }
  return typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
}

export const NO_BASE_HELP =
  'no base revision to compare against: pass --base REV (e.g. --base origin/main), set LCI_BASE, ' +
  'run in CodeBuild (CODEBUILD_WEBHOOK_PREV_COMMIT) or GitHub Actions (GITHUB_EVENT_PATH), or use --all';
