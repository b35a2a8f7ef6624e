/**
 * How work below the CLI says what it is doing, without printing: the CLI decides whether that
 * becomes a live line in a terminal, a `[function] message` line in CI, or nothing.
 */
export interface TaskProgress {
  /**
   * A step worth a line of its own ('uploading code'); `detail` marks fine-grained output (a build's
   * log lines). `phase` names the phase this message belongs to when it is not the task's current
   * one, '' for a message that names its own step (a dependency build running beside an upload).
   */
  report(message: string, detail?: boolean, phase?: string): void;
  /** The task entered a named phase (build, push, release). */
  phase(name: string): void;
}

export type Outcome = 'done' | 'failed' | 'skipped';

/** One per command run: a task per function. */
export interface ProgressSink {
  /** What the run as a whole is doing, before or between functions ('reading lambdas.yaml'). */
  status(message: string): void;
  start(name: string): TaskProgress;
  /** `summary`: the words shown after the name ('PUBLISHED version 3', 'not started: --fail-fast'). */
  finish(name: string, outcome: Outcome, summary: string): void;
}

export const NO_PROGRESS: TaskProgress = { report: () => {}, phase: () => {} };
export const SILENT: ProgressSink = { status: () => {}, start: () => NO_PROGRESS, finish: () => {} };
