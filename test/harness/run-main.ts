import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/command.js';

export interface MainResult {
  code: number;
  out: string[];
  err: string[];
}

/**
 * Runs lci in this process (same code path as the binary, minus process start-up). `io` adds what
 * a terminal would give: `ask` answers questions as a person would type.
 */
export async function runMain(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  io: Partial<Io> = {},
): Promise<MainResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    cwd,
    env: { NO_COLOR: '1', ...env },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    ...io,
  });
  return { code, out, err };
}
