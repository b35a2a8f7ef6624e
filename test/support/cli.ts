import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const LCI_BIN = fileURLToPath(new URL('../../bin/lci.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Variables that make lci guess a base or an environment: removed so tests see only what they set. */
const CI_VARIABLES = /^(LCI_|CODEBUILD_|GITHUB_|CI$)/;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real, built CLI as a child process. */
export function lci(args: string[], opts: { cwd: string; env?: Record<string, string> }): CliResult {
  const env: Record<string, string> = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !CI_VARIABLES.test(k)) env[k] = v;
  const r = spawnSync(process.execPath, [LCI_BIN, ...args], { cwd: opts.cwd, env: { ...env, ...opts.env }, encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
