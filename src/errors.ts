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
  /** The message's first line. */
  readonly headline: string;
  /** Lines shown under it (a build's log tail, a smoke test's response): each printed as a line of its own. */
  readonly details: readonly string[];

  constructor(
    message: string,
    readonly exitCode: number,
    details: readonly string[] = [],
  ) {
    super(details.length > 0 ? [message, ...details].join('\n') : message);
    this.name = new.target.name;
    this.headline = message;
    this.details = details;
  }

  /** The message as terminal lines, each made printable: a value inside it never starts a line of its own. */
  lines(): string[] {
    return [printable(this.headline), ...this.details.map(printable)];
  }
}

/**
 * Control characters (tab and newline included), DEL, C1 controls, Unicode line separators and
 * bidirectional overrides. Any of them in a name from lambdas.yaml, git or AWS would, printed raw,
 * move the cursor, retitle the terminal, reorder what is shown, or start a line that reads as
 * another problem.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text as one terminal line: every character in UNPRINTABLE written as a visible escape (`\x1b`, `\n`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED_ESCAPES[c] ?? (code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

function hex(code: number, digits: number): string {
  return code.toString(16).padStart(digits, '0');
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

/** One line per problem, whatever the file name or the message quotes. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${printable(d.file)}:${d.line}:${d.col}: ${printable(d.message)}`;
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
  constructor(message: string, details: readonly string[] = []) {
    super(message, ExitCode.failed, details);
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

/** A build container wrote more than a function and its layers could ever hold, and was stopped. */
export class BuildOutputError extends BuildError {}

/** A build container ran longer than build.timeout and was stopped. */
export class BuildTimeoutError extends BuildError {}

/** A layer holds native code or wheels for another architecture than the function's. */
export class ArchitectureMismatchError extends BuildError {}

/** A deploy step AWS refused or that lci stopped, said as what happened to the release. */
export class DeployError extends LciError {
  constructor(message: string, details: readonly string[] = []) {
    super(message, ExitCode.failed, details);
  }
}

/** No AWS credentials, or credentials that cannot be loaded: said once, before any work. */
export class CredentialsError extends LciError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}

/** An answer that is not an AWS API response (an HTML page from a proxy or a wrong endpoint). */
export class AwsAnswerError extends LciError {
  constructor(
    message: string,
    /** Whether the message already says what lci was doing. */
    readonly located = false,
    /** The HTTP status of the answer, when one came. */
    readonly status?: number,
  ) {
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
  constructor(message: string, details: readonly string[] = []) {
    super(message, ExitCode.badInput, details);
  }
}

/**
 * A saved release plan that may not be applied: made by another lci, for another lambdas.yaml,
 * too old, not a plan, or something it read has moved since (an alias, $LATEST, a layer, an
 * artifact). Exit 2: plan again.
 */
export class PlanStaleError extends LciError {
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
    153: 'file size limit exceeded (SIGXFSZ)',
  };
  return `exit status ${code} (${words[code] ?? (code > 128 ? `killed by signal ${code - 128}` : 'failed')})`;
}

function lastLines(text: string, n: number): string {
  return text.trim().split(/\r?\n/).slice(-n).join(' / ');
}
