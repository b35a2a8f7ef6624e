/**
 * Every error a user sees, each with the exit code it means. Anything else is a bug, shown as an
 * internal error. Modules below the CLI throw these; only the CLI prints them and sets the exit code.
 */

export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  nothingAffected: 3,
  /** 128 + SIGINT, as shells report an interrupted command. */
  interrupted: 130,
  /** 128 + SIGTERM. */
  terminated: 143,
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

/** A child process (docker, a tool) that failed in a way the user must hear about. */
export class CommandError extends LciError {
  constructor(message: string, exitCode: number = ExitCode.failed) {
    super(message, exitCode);
  }
}

/** A git command that failed: which one, its exit status in words and what git said. */
export class GitError extends CommandError {
  constructor(
    readonly args: string[],
    readonly status: number,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed: ${describeExit(status)}${stderr ? `: ${lastLines(stderr, 5)}` : ''}`);
  }
}

/** The files of a function cannot be packaged as they are (a symlink out of the repository, a size limit). */
export class PackageError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.failed);
  }
}

/** A dependency build that failed: its exit status in words and the tail of its log. */
export class BuildError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.failed);
  }
}

/**
 * A shared layer could not be built; every function that uses it fails with it. `reason` is the
 * layer's own failure (the build's words and log tail), reported once for the layer.
 */
export class SharedLayerError extends BuildError {
  constructor(
    readonly layer: string,
    readonly reason: string,
  ) {
    super(`shared layer ${layer}: ${reason}`);
  }
}

/** The Docker engine cannot be reached (DOCKER_HOST wrong, daemon down, no permission on the socket). */
export class DockerEngineError extends BuildError {}

/** The build image is not on the engine and cannot be pulled, or is built for another architecture. */
export class BuildImageError extends BuildError {}

/** Docker refused a path lci mounts into the build container (the engine does not see lci's files). */
export class BuildMountError extends BuildError {}

/** The build container was killed for using more memory than build.memory allows. */
export class BuildOutOfMemoryError extends BuildError {}

/** A build container ran longer than build.timeout and was stopped. */
export class BuildTimeoutError extends BuildError {}

/** A layer holds native code or wheels for another architecture than the function's. */
export class ArchitectureMismatchError extends BuildError {}

/** A deploy step AWS refused or that lci stopped, said as what happened to the release. */
export class DeployError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.failed);
  }
}

/** A CodePipeline call that failed (lci pipelines): the work failed, the input was fine. */
export class PipelineError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.failed);
  }
}

/** The function itself does not exist (Terraform has not created it yet). */
export class FunctionMissingError extends DeployError {}

/**
 * The live function is not what lambdas.yaml describes (runtime, architecture, handler, or a layer
 * lci did not publish): a configuration to fix, exit 2, with nothing written.
 */
export class LiveConfigError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}

/** A person asked before an alias of a `confirm: true` environment moves said no. */
export class NotConfirmedError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.failed);
  }
}

/** Ctrl-C or SIGTERM: the work stopped on purpose, after cleaning up. */
export class InterruptedError extends LciError {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`, signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
  }
}

/** An exit status in words, as a shell would explain it. */
export function describeExit(code: number): string {
  const words: Record<number, string> = {
    1: 'general error',
    2: 'misuse of a command or bad arguments',
    126: 'command not executable',
    127: 'command not found',
    128: 'invalid argument to exit, or the command could not start',
    130: 'interrupted (SIGINT)',
    137: 'killed (SIGKILL; out of memory?)',
    139: 'segmentation fault (SIGSEGV)',
    143: 'terminated (SIGTERM)',
  };
  return `exit status ${code} (${words[code] ?? (code > 128 ? `killed by signal ${code - 128}` : 'failed')})`;
}

function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' / ');
}
