/** The few errors users see, each with the exit code it means. Anything else is a bug. */

export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  nothingAffected: 3,
} as const;

export class LciError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A wrong flag, a missing argument, a revision that does not exist. */
export class UsageError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}

export interface Diagnostic {
  /** Path of the config file as shown to the user (relative to the working directory when inside it). */
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

/** Every problem found in a config file, reported together. */
export class ConfigError extends LciError {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'), ExitCode.badInput);
  }
}

/** A child process (git, docker) that failed in a way the user must hear about. */
export class CommandError extends LciError {
  constructor(message: string, exitCode: number = ExitCode.failed) {
    super(message, exitCode);
  }
}
