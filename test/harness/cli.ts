import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertJsonOutputMatches, outputSchemas } from './output-schema.js';

export const LCI_BIN = fileURLToPath(new URL('../../bin/lci.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The output schemas compile here (about a second, once per process), not inside the first timed run of a benchmark.
outputSchemas();

/** Variables that make lci guess a base or an environment: removed so tests see only what they set. */
const CI_VARIABLES = /^(LCI_|CODEBUILD_|GITHUB_|CI$)/;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !CI_VARIABLES.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs the real, built CLI as a child process. */
export function lci(args: string[], opts: { cwd: string; env?: Record<string, string> }): CliResult {
  const r = spawnSync(process.execPath, [LCI_BIN, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.env),
    encoding: 'utf8',
  });
  if (args.includes('--json')) assertJsonOutputMatches(r.stdout);
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: needed when the servers the CLI talks to (the AWS
 * stand-ins) run in the test process. `started` sees the child before it runs (to register its pid); `input` is its stdin.
 */
export function lciAsync(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; started?: (child: ChildProcess) => void; input?: string },
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, [LCI_BIN, ...args], {
    cwd: opts.cwd,
    env: childEnv(opts.env),
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  opts.started?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code, signal) => {
      try {
        // Every --json document a test makes lci print is checked against its schema in schema/output.
        if (args.includes('--json')) assertJsonOutputMatches(stdout);
      } catch (e) {
        reject(e);
        return;
      }
      resolve({ code: code ?? 1, signal, stdout, stderr });
    }),
  );
}
