import { availableParallelism } from 'node:os';
import type { DefaultRenderer, ListrTaskWrapper, VerboseRenderer } from 'listr2';
import { UsageError } from '../errors.js';

export interface Task {
  name: string;
  /**
   * Does the work, reporting progress lines and (with `phases`) which phase it is in; resolves
   * to the words shown after the name when done.
   */
  run: (report: (message: string) => void, phase: (name: string) => void) => Promise<string>;
}

export interface TaskOptions {
  concurrency: number;
  /** Start no new task after one failed. */
  failFast: boolean;
  /** No progress output at all (the caller prints JSON). */
  json: boolean;
  env: NodeJS.ProcessEnv;
  /** Shown as a sub-task tree under each task, entered in order; phases never entered show as skipped. */
  phases?: string[];
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
      task: (_ctx: unknown, task: TaskWrapper): Promise<void> | ListrLike => {
        const work = async (report: (m: string) => void, phase: (name: string) => void) => {
          try {
            task.title = `${t.name}: ${await t.run(report, phase)}`;
          } catch (e) {
            if (opts.failFast) stop = true;
            throw e;
          }
        };
        return opts.phases ? phaseTree(task, opts.phases, work) : work((m) => (task.output = m), () => {});
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

type TaskWrapper = ListrTaskWrapper<unknown, typeof DefaultRenderer, typeof VerboseRenderer>;
type ListrLike = ReturnType<TaskWrapper['newListr']>;

/**
 * A sub-task per phase, driven by the work itself: entering a phase completes the ones before it,
 * progress lines go to the current one, the end of the work completes (or, for phases never
 * entered, skips) the rest, and a failure fails the current phase.
 */
function phaseTree(task: TaskWrapper, phases: string[], work: (report: (m: string) => void, phase: (name: string) => void) => Promise<void>): ListrLike {
  const gates = phases.map(() => {
    let open!: (skipped: boolean) => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<boolean>((resolve, reject) => ((open = resolve), (fail = reject)));
    done.catch(() => {});
    return { open, fail, done, sub: null as TaskWrapper | null, pending: [] as string[] };
  });
  let current = -1;
  const enter = (name: string) => {
    const i = phases.indexOf(name);
    while (current < i) {
      if (current >= 0) gates[current]!.open(false);
      current++;
    }
  };
  const running = work((m) => {
    const gate = gates[Math.max(0, current)]!;
    // Progress can arrive before listr2 has started the phase's sub-task: keep it for then.
    if (gate.sub) gate.sub.output = m;
    else gate.pending.push(m);
  }, enter).then(
    () => gates.forEach((g, i) => g.open(i > current)),
    (e: unknown) => {
      gates[Math.max(0, current)]!.fail(e);
      gates.forEach((g, i) => i !== Math.max(0, current) && g.open(true));
    },
  );
  void running;
  return task.newListr(
    phases.map((name, i) => ({
      title: name,
      task: async (_ctx: unknown, sub: TaskWrapper) => {
        gates[i]!.sub = sub;
        for (const m of gates[i]!.pending) sub.output = m;
        const skipped = await gates[i]!.done;
        if (skipped) sub.title = `${name} (nothing to do)`;
      },
    })),
    { concurrent: false, exitOnError: true },
  );
}

export function parseConcurrency(v: string | undefined): number {
  if (v === undefined) return availableParallelism();
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency ${v}: give a whole number of at least 1`);
  return n;
}
