import { buildFunction } from '../artifacts/build-function.js';
import { connect, type AwsOptions } from '../aws/clients.js';
import { invokeFunction } from '../aws/invoke.js';
import { DependencyBuilder } from '../builder/dependency-builder.js';
import { dockerClient, ensureImage } from '../builder/docker.js';
import { runLocally } from '../builder/local-run.js';
import { imageFor, platformFor } from '../builder/recipes.js';
import type { LoadedProject } from '../config/load.js';
import { DEFAULT_HANDLER } from '../config/runtimes.js';
import { selectTargets } from '../config/select.js';
import { parseMemory, parseTimeout } from '../config/resolve.js';
import { UsageError } from '../errors.js';
import type { TaskProgress } from '../progress.js';

export interface InvokeOptions {
  name: string;
  /** Required for a remote invocation (its alias); locally, only when the function builds differently per environment. */
  env: string | undefined;
  local: boolean;
  /** A published version instead of the alias (remote only). */
  version: string | undefined;
  event: Buffer;
  aws: AwsOptions;
  signal?: AbortSignal;
}

export interface InvokeResult {
  name: string;
  env: string | null;
  awsName: string;
  /** The alias invoked; null for a version or a local run. */
  alias: string | null;
  local: boolean;
  /** The version that ran ($LATEST locally: the built artifacts). */
  version: string | null;
  /** Locally: the handler string run. */
  handler: string | null;
  functionError: string | null;
  payload: Buffer;
  /** Remote: the decoded log tail (the last 4 KB); local: the whole log. */
  log: string;
}

/** lci invoke: the alias (or a version) on Lambda, or the built artifacts in the function's build image. */
export async function invoke(
  loaded: LoadedProject,
  opts: InvokeOptions,
  progress: TaskProgress,
): Promise<InvokeResult> {
  const { project } = loaded;
  if (!opts.local && !opts.env)
    throw new UsageError('invoke needs --env NAME (the alias to invoke), or --local to run the built artifacts');
  if (opts.local && opts.version)
    throw new UsageError('--version names a published version on Lambda; --local runs the built artifacts');
  const [r] = selectTargets(project, [opts.name], opts.env);
  const fn = r!;
  if (!opts.local) {
    const aws = await connect(opts.aws, project.artifacts.region);
    const qualifier = opts.version ?? fn.alias;
    progress.report(`invoking ${fn.functionName}:${qualifier}`);
    const out = await invokeFunction(aws.lambda, fn.functionName, qualifier, opts.event);
    return {
      name: fn.name,
      env: fn.env,
      awsName: fn.functionName,
      alias: opts.version ? null : fn.alias,
      local: false,
      version: out.executedVersion,
      handler: null,
      functionError: out.functionError,
      payload: out.payload,
      log: out.logTail,
    };
  }
  if (fn.family === 'provided')
    throw new UsageError(
      `invoke --local runs python and nodejs handlers with lci's runtime shims; ${fn.runtime} brings its own bootstrap: invoke it on Lambda (--env)`,
    );
  const report = (m: string, detail?: boolean) => progress.report(m, detail);
  const deps = new DependencyBuilder(loaded.workspace, dockerClient, { signal: opts.signal });
  await deps.removeLeftovers();
  const artifacts = await buildFunction(fn, loaded.workspace, deps, report);
  const docker = await dockerClient();
  const image = imageFor(fn);
  const platform = platformFor(fn.architecture);
  await ensureImage(docker, image, platform, report);
  const handler = fn.handler ?? DEFAULT_HANDLER[fn.family];
  report(`running ${handler} in ${image}`);
  const out = await runLocally(
    docker,
    {
      image,
      platform,
      family: fn.family,
      runtime: fn.runtime,
      handler,
      functionName: fn.functionName,
      region: opts.aws.region ?? project.artifacts.region ?? 'us-east-1',
      codeZip: artifacts.code.path,
      layerZips: [...artifacts.layers.map((l) => l.path), ...(artifacts.deps ? [artifacts.deps.path] : [])],
      event: opts.event,
      stateDir: loaded.workspace.stateDir,
      limits: { memoryBytes: parseMemory(fn.build.memory), pids: fn.build.pids },
      timeoutMs: parseTimeout(fn.build.timeout),
    },
    opts.signal,
  );
  return {
    name: fn.name,
    env: opts.env ?? null,
    awsName: fn.functionName,
    alias: null,
    local: true,
    version: '$LATEST',
    handler,
    functionError: out.functionError,
    payload: out.payload,
    log: out.log,
  };
}
