import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';

export interface Task {
  name: string;
  /** Does the work, reporting progress lines; resolves to the words shown after the name when done. */
  run: (report: (message: string) => void) => Promise<string>;
}

export interface TaskOptions {
  concurrency: number;
  /** Start no new task after one failed. */
  failFast: boolean;
  /** No progress output at all (the caller prints JSON). */
  json: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs per-function tasks through listr2: a live line per function in a terminal, plain
 * timestamped lines in CI (CI=true or no TTY), nothing with --json. Failures are the tasks'
 * to record; this only schedules and shows.
 */
export async function runTasks(tasks: Task[], opts: TaskOptions): Promise<void> {
  const { Listr, PRESET_TIMESTAMP } = await import('listr2');
  let stop = false;
  const list = new Listr(
    tasks.map((t) => ({
      title: t.name,
      skip: () => (stop ? 'not started: an earlier function failed (--fail-fast)' : false),
      task: async (_ctx: unknown, task: { output: string; title: string }) => {
        try {
          task.title = `${t.name}: ${await t.run((m) => (task.output = m))}`;
        } catch (e) {
          if (opts.failFast) stop = true;
          throw e;
        }
      },
    })),
    {
      concurrent: opts.concurrency,
      exitOnError: false,
      registerSignalListeners: false, // build containers are removed by lci's own handler
      renderer: 'default',
      fallbackRenderer: 'verbose',
      fallbackRendererCondition: opts.env.CI === 'true' || !process.stdout.isTTY,
      silentRendererCondition: opts.json,
      fallbackRendererOptions: { timestamp: PRESET_TIMESTAMP },
    },
  );
  await list.run();
}

export function parseConcurrency(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency ${v}: give a whole number of at least 1`);
  return n;
}
