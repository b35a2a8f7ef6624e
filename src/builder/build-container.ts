import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { parseMemory, parseTimeout } from '../config/resolve.js';
import type { BuildSettings, Workspace } from '../config/types.js';
import {
  BuildError,
  BuildNetworkError,
  BuildOutOfMemoryError,
  BuildOutputError,
  BuildTimeoutError,
  describeExit,
} from '../errors.js';
import type { DependencyFile } from '../inputs/dependency-inputs.js';
import { UNZIPPED_LIMIT } from '../package/limits.js';
import { mkdirPrivate, PRIVATE_FILE_MODE } from '../private-files.js';
import { ensureImage, LABEL, runContainer, type Bind, type ContainerExit } from './docker.js';
import { ownerLabels } from './leftovers.js';
import { IndexReach, unreachableMessage } from './index-reach.js';
import { LineTail } from './line-tail.js';
import { MAX_OUTPUT_BYTES } from './output-limit.js';
import { BUILD_ENV, INDEX_ENV, MACHINE_PROBE } from './recipes.js';

/**
 * One build container: a dependency recipe or a build command. It sees a copy of exactly the
 * committed input files at /src (read-only), writes only /out, runs as BUILD_UID or the caller,
 * without capabilities, with a read-only root, build.memory, build.pids, build.network and
 * build.timeout as limits, labelled for the leftover sweep, and is removed afterwards. Its log goes
 * to `.lci/logs/<name>-<key>.log` (its path is what a run that succeeds returns); a failure says why
 * in words with the log's tail.
 */
export interface BuildStep {
  /** What runs, in messages: 'dependency build', 'build.command'. */
  what: string;
  /** The function or layer it is for: names the log and labels the container. */
  name: string;
  key: string;
  image: string;
  platform: string;
  script: string;
  build: BuildSettings;
  files: DependencyFile[];
  /** The host directory mounted writable at /out. */
  out: string;
  user: string;
  labels: Record<string, string>;
}

const LOG_TAIL_LINES = 30;
/** 128 + SIGXFSZ: a write past RLIMIT_FSIZE. */
const FILE_TOO_LARGE = 153;

export async function runBuildStep(
  docker: Docker,
  ws: Workspace,
  step: BuildStep,
  report: (message: string, detail?: boolean) => void,
  signal?: AbortSignal,
): Promise<string> {
  await ensureImage(docker, step.image, step.platform, report);
  const staged = join(ws.stateDir, 'tmp', `${step.key}-src-${process.pid}`);
  try {
    // The container sees a copy of exactly the committed input files (no untracked file, nothing a symlink reaches outside).
    await stageInputs(step.files, staged);
    const binds: Bind[] = [
      { host: staged, container: '/src', readOnly: true },
      { host: step.out, container: '/out', readOnly: false },
    ];
    const logDir = join(ws.stateDir, 'logs');
    await mkdirPrivate(logDir);
    const logPath = join(logDir, `${step.name}-${step.key.slice(0, 12)}.log`);
    await rm(logPath, { force: true }); // created anew, so with the mode below
    const log = createWriteStream(logPath, { mode: PRIVATE_FILE_MODE });
    const tail = new LineTail(LOG_TAIL_LINES);
    const reach = new IndexReach();
    report(`${step.what}: running in ${step.image}`);
    let exit: ContainerExit;
    try {
      exit = await runContainer(
        docker,
        {
          image: step.image,
          platform: step.platform,
          script: step.script,
          // Only these: nothing of lci's own environment (AWS credentials, tokens) enters the container.
          env: { ...INDEX_ENV, ...BUILD_ENV, ...step.build.env },
          binds,
          user: step.user,
          labels: { ...ownerLabels(ws.stateDir), ...step.labels, [`${LABEL}.key`]: step.key },
          limits: { memoryBytes: parseMemory(step.build.memory), pids: step.build.pids, network: step.build.network },
          timeoutMs: parseTimeout(step.build.timeout),
          output: { dir: step.out, maxBytes: MAX_OUTPUT_BYTES },
        },
        (chunk) => {
          log.write(chunk);
          tail.push(chunk);
          reach.push(chunk);
          const last = tail.lastLine();
          if (last && !last.startsWith(MACHINE_PROBE)) report(`${step.what}: ${last.slice(0, 120)}`, true);
        },
        signal,
      );
    } finally {
      await new Promise((resolve) => log.end(resolve));
    }
    if (exit.status === 0 && !exit.timedOut) return logPath;
    throw failure(step, exit, logPath, tail, reach);
  } finally {
    await rm(staged, { recursive: true, force: true });
  }
}

function failure(step: BuildStep, exit: ContainerExit, logPath: string, tail: LineTail, reach: IndexReach): BuildError {
  if (exit.timedOut)
    return new BuildTimeoutError(
      `${step.what} did not finish within build.timeout ${step.build.timeout}: lci stopped it and removed its container; raise build.timeout in lambdas.yaml, or see what it waited for (a package index it cannot reach?) in ${logPath}`,
    );
  if (exit.outputBytes !== undefined)
    return new BuildOutputError(
      `${step.what} wrote more than ${MAX_OUTPUT_BYTES} bytes to its output (${exit.outputBytes} when lci stopped it and removed its container); a function and its layers unzip to at most ${UNZIPPED_LIMIT} bytes in Lambda: write less there, or build.output a smaller directory (full log: ${logPath})`,
    );
  if (exit.status === FILE_TOO_LARGE)
    return new BuildOutputError(
      `${step.what} in ${step.image} wrote a file of more than ${MAX_OUTPUT_BYTES} bytes and was stopped (${describeExit(exit.status)}); no file of a function or a layer can be that large in Lambda (full log: ${logPath})`,
    );
  const unreachable = reach.found();
  if (unreachable && !exit.oomKilled && exit.status !== 137)
    return new BuildNetworkError(unreachableMessage(step.what, unreachable, step.build.network, logPath));
  if (exit.oomKilled)
    return new BuildOutOfMemoryError(
      `${step.what} in ${step.image} ran out of memory: the kernel killed it at build.memory ${step.build.memory} (exit status ${exit.status}); raise build.memory in lambdas.yaml (full log: ${logPath})`,
    );
  const status =
    exit.status === 137
      ? 'exit status 137 (killed by SIGKILL, not for memory: docker kill, docker rm -f or the engine stopping?)'
      : describeExit(exit.status);
  return new BuildError(`${step.what} failed in ${step.image}: ${status}`, [
    `last ${LOG_TAIL_LINES} lines of the build log:`,
    ...tail.lines().map((l) => `  | ${l}`),
    `full log: ${logPath}`,
  ]);
}

/** Copies the input files to `dir` at their repository paths, readable by the build user (0644/0755). */
async function stageInputs(files: DependencyFile[], dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o755 });
  for (const f of files) {
    const target = join(dir, f.repoPath);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await copyFile(f.abs, target);
    await chmod(target, f.executable ? 0o755 : 0o644);
  }
}
