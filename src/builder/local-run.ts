import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import type { Runtime, RuntimeFamily } from '../config/runtimes.js';
import { BuildError, BuildTimeoutError, describeExit } from '../errors.js';
import { mkdirPrivate } from '../private-files.js';
import { extractZip } from '../package/zip-extract.js';
import { BUILD_GID, BUILD_UID, runsAsRoot, userSpec } from './dependency-builder.js';
import { LABEL, runContainer, type ContainerLimits } from './docker.js';
import { ownerLabels } from './leftovers.js';

/**
 * `lci invoke --local`: one invocation of a handler from the built artifacts, in the function's
 * build image, laid out as Lambda lays a function out: the code zip unpacked at /var/task, the
 * layer zip at /opt (/opt/python, /opt/nodejs/node_modules), lci's runtime shim (runtime/ of the
 * package) at /var/runtime. The container is the build's containment with no network at all:
 * read-only root, tmpfs /tmp, no capabilities, an unprivileged user, labelled and always removed.
 */

/** runtime/ beside dist/ (and src/): the shims are shipped with the package. */
const RUNTIME_DIR = fileURLToPath(new URL('../../runtime/', import.meta.url));

export interface LocalRun {
  image: string;
  platform: string;
  family: RuntimeFamily;
  runtime: Runtime;
  handler: string;
  functionName: string;
  region: string;
  codeZip: string;
  /** The layers, in the order Lambda stacks them into /opt (a later one's files win). */
  layerZips: string[];
  event: Buffer;
  stateDir: string;
  limits: Omit<ContainerLimits, 'network'>;
  /** build.timeout: the handler's container is stopped after this long. */
  timeoutMs: number;
}

export interface LocalRunResult {
  functionError: string | null;
  payload: Buffer;
  /** What the function and the shim printed: the log, as Lambda would keep it. */
  log: string;
}

export async function runLocally(docker: Docker, run: LocalRun, signal?: AbortSignal): Promise<LocalRunResult> {
  const tmp = join(run.stateDir, 'tmp');
  await mkdirPrivate(tmp);
  // Named <…>-<pid>: the leftover sweep removes it when this process is killed outright.
  const scratch = join(tmp, `invoke-${randomBytes(4).toString('hex')}-${process.pid}`);
  try {
    const task = join(scratch, 'task');
    const opt = join(scratch, 'opt');
    const io = join(scratch, 'io');
    extractZip(run.codeZip, task);
    await mkdir(opt, { mode: 0o755 });
    for (const layer of run.layerZips) extractZip(layer, opt);
    await mkdir(io, { mode: 0o755 });
    if (runsAsRoot()) await chown(io, BUILD_UID, BUILD_GID);
    await chmod(scratch, 0o755);
    await writeFile(join(io, 'event.json'), run.event);
    const chunks: Buffer[] = [];
    const exit = await runContainer(
      docker,
      {
        image: run.image,
        platform: run.platform,
        script:
          run.family === 'python'
            ? 'exec python3 /var/runtime/python/bootstrap.py'
            : 'exec node /var/runtime/nodejs/index.mjs',
        env: lambdaEnvironment(run),
        binds: [
          { host: task, container: '/var/task', readOnly: true },
          { host: opt, container: '/opt', readOnly: true },
          { host: RUNTIME_DIR, container: '/var/runtime', readOnly: true },
          { host: io, container: '/var/lci-io', readOnly: false },
        ],
        user: userSpec(),
        labels: { ...ownerLabels(run.stateDir), [`${LABEL}.invoke`]: run.functionName },
        limits: { ...run.limits, network: 'none' },
        timeoutMs: run.timeoutMs,
      },
      (chunk) => chunks.push(chunk),
      signal,
    );
    const log = Buffer.concat(chunks).toString('utf8');
    const result = await readFile(join(io, 'result.json'), 'utf8').then(
      (text) => JSON.parse(text) as { status: 'success'; payload: string } | { status: 'error'; error: unknown },
      () => null,
    );
    if (exit.timedOut)
      throw new BuildTimeoutError(
        `the handler ran longer than build.timeout (${run.timeoutMs / 1000} s) in ${run.image}; lci stopped it`,
      );
    if (!result) {
      const why = exit.oomKilled ? 'killed for memory (raise build.memory)' : describeExit(exit.status);
      throw new BuildError(
        `the handler's runtime in ${run.image} ended without a result: ${why}`,
        log.trimEnd() ? log.trimEnd().split('\n') : [],
      );
    }
    if (result.status === 'success') return { functionError: null, payload: Buffer.from(result.payload), log };
    return { functionError: 'Unhandled', payload: Buffer.from(JSON.stringify(result.error)), log };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The variables a Lambda execution environment sets (none of lci's own environment, no credentials). */
function lambdaEnvironment(run: LocalRun): Record<string, string> {
  const nodeMajor = /^nodejs(\d+)\.x$/.exec(run.runtime)?.[1];
  return {
    HOME: '/tmp',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    PATH: '/usr/local/bin:/usr/bin:/bin:/opt/bin',
    LD_LIBRARY_PATH: '/var/task:/var/task/lib:/opt/lib',
    ...(run.family === 'nodejs'
      ? { NODE_PATH: `/opt/nodejs/node${nodeMajor}/node_modules:/opt/nodejs/node_modules:/var/task` }
      : { LCI_PYTHON_VERSION: run.runtime.replace(/^python/, ''), PYTHONDONTWRITEBYTECODE: '1' }),
    _HANDLER: run.handler,
    AWS_REGION: run.region,
    AWS_DEFAULT_REGION: run.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${run.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: run.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${run.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
  };
}
