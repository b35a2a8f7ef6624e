import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { BuildNetwork } from '../config/types.js';
import { BuildImageError, DockerEngineError } from '../errors.js';
import { badDockerHost, explainCreateError, explainEngineError, imageUnavailable } from './engine-errors.js';
import { watchOutput } from './output-limit.js';

/**
 * The Docker edge: pull an image, run one build container, always remove it (on success, on
 * failure, and on Ctrl-C), and hand its output to the caller as it comes.
 */

export interface Bind {
  host: string;
  container: string;
  readOnly: boolean;
}

export interface ContainerLimits {
  memoryBytes: number;
  pids: number;
  network: BuildNetwork;
}

export interface ContainerSpec {
  image: string;
  platform: string;
  script: string;
  env: Record<string, string>;
  binds: Bind[];
  user: string;
  labels: Record<string, string>;
  limits: ContainerLimits;
  /** Longest the container may run (build.timeout): then it is removed and the exit says timedOut. */
  timeoutMs?: number;
  /**
   * The bind mounted at /out and the most its files may hold: past it the container is removed and
   * the exit says outputBytes. No single file the container writes may be larger (RLIMIT_FSIZE).
   */
  output?: { dir: string; maxBytes: number };
}

export interface ContainerExit {
  status: number;
  /** The engine killed the container for exceeding its memory limit (State.OOMKilled). */
  oomKilled: boolean;
  /** It ran longer than `timeoutMs` and was removed. */
  timedOut: boolean;
  /** It wrote more than `output.maxBytes` and was removed: the bytes found then. */
  outputBytes?: number;
}

export const LABEL = 'dev.lambda-ci.build';

let client: Promise<Docker> | undefined;

/**
 * Loaded on first use: dockerode costs ~170 ms and ~30 MB, and most runs build no layer. The first
 * use also pings the engine, so an unreachable one is explained once, before any build starts.
 */
export function dockerClient(): Promise<Docker> {
  client ??= (async () => {
    const { default: Dockerode } = await import('dockerode');
    let docker: Docker;
    try {
      docker = new Dockerode(); // DOCKER_HOST and friends are read by docker-modem; default /var/run/docker.sock
    } catch {
      throw badDockerHost(process.env.DOCKER_HOST ?? '');
    }
    await engineCall(docker.ping());
    return docker;
  })();
  return client;
}

/** A call to the engine whose connection failure is explained (DOCKER_HOST, daemon, socket permission). */
export async function engineCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw explainEngineError(e, process.env.DOCKER_HOST) ?? e;
  }
}

/** Pulls the image when the engine does not have it, reporting progress lines. */
export async function ensureImage(
  docker: Docker,
  image: string,
  platform: string,
  progress: (line: string) => void,
): Promise<'present' | 'pulled'> {
  const info = await engineCall(docker.getImage(image).inspect()).catch((e: { statusCode?: number }) => {
    if (e.statusCode === 404) return null;
    throw e;
  });
  if (info) {
    const actual = `${info.Os}/${info.Architecture}`;
    if (actual !== platform) {
      throw new BuildImageError(
        `image ${image} is built for ${actual}, but the function needs ${platform}; use an image for ${platform} (build.image) or change architecture`,
      );
    }
    return 'present';
  }
  progress(`pulling ${image} (${platform})`);
  try {
    const stream = await engineCall(docker.pull(image, { platform }));
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (event: { status?: string; progress?: string; id?: string }) => {
          if (event.status)
            progress(`pull ${image}: ${[event.id, event.status, event.progress].filter(Boolean).join(' ')}`);
        },
      );
    });
  } catch (e) {
    if (e instanceof DockerEngineError) throw e;
    throw imageUnavailable(image, e);
  }
  return 'pulled';
}

/**
 * Runs the script to completion; returns its exit. The container is gone when this returns or
 * throws, also when `signal` aborts (Ctrl-C): then the abort reason is thrown. It is contained:
 * no capabilities, no new privileges, a read-only root with a tmpfs /tmp, memory, process and
 * network limits, and only the environment in `spec.env` (nothing of lci's own).
 */
export async function runContainer(
  docker: Docker,
  spec: ContainerSpec,
  onOutput: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<ContainerExit> {
  signal?.throwIfAborted();
  // No abortSignal for the create call: aborting it in flight could leave a container we never learn the id of.
  const container = await engineCall(docker.createContainer(containerOptions(spec))).catch((e) => {
    throw explainCreateError(e) ?? e;
  });
  // Tracked from creation on: an abort between create and start still removes it, and every path
  // out of here waits for that one removal (a second, concurrent remove would return before the first is done).
  let removal: Promise<void> | undefined;
  const remove = () =>
    (removal ??= container.remove({ force: true }).then(
      () => {},
      () => {}, // already gone, or the engine went away: the next run's sweep removes what is left
    ));
  const onAbort = () => void remove();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough();
    out.on('data', onOutput);
    docker.modem.demuxStream(stream, out, out);
    const ended = new Promise<void>((resolve) => stream.on('end', resolve));
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'timeout'>((resolve) => {
      if (spec.timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), spec.timeoutMs);
    });
    let stopWatching = () => {};
    const overflowed = new Promise<{ bytes: number }>((resolve) => {
      if (spec.output) stopWatching = watchOutput(spec.output.dir, spec.output.maxBytes, (bytes) => resolve({ bytes }));
    });
    const result = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      expired,
      overflowed,
    ]).finally(() => {
      clearTimeout(timer);
      stopWatching();
    });
    if (result === 'timeout') {
      await remove();
      return { status: 137, oomKilled: false, timedOut: true };
    }
    if ('bytes' in result) {
      await remove();
      return { status: 137, oomKilled: false, timedOut: false, outputBytes: result.bytes };
    }
    signal?.throwIfAborted();
    // Read before removal: only the engine knows whether the kernel killed it for memory.
    const state = (await container.inspect()).State as { OOMKilled?: boolean };
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]); // the last output may trail the exit
    return { status: result.StatusCode, oomKilled: state.OOMKilled === true, timedOut: false };
  } catch (e) {
    signal?.throwIfAborted(); // the abort's reason, not the engine's complaint about a removed container
    throw explainEngineError(e, process.env.DOCKER_HOST) ?? e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await remove();
  }
}

/** Build inputs read-only, `/out` writable, nothing else of the host; root read-only, /tmp (also $HOME) a tmpfs. */
function containerOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  return {
    Image: spec.image,
    platform: spec.platform,
    Cmd: ['sh', '-c', spec.script],
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    User: spec.user,
    WorkingDir: '/tmp',
    Labels: spec.labels,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: {
      // Mounts, not Binds: a path with ':' or ',' stays one path, and a source the engine cannot
      // see is an error instead of an empty directory Docker creates in its place.
      Mounts: spec.binds.map((b) => ({ Type: 'bind', Source: b.host, Target: b.container, ReadOnly: b.readOnly })),
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      // exec: pip and npm run what they build there; tmpfs pages count against Memory.
      Tmpfs: { '/tmp': 'rw,exec,nosuid,nodev' },
      Memory: spec.limits.memoryBytes,
      MemorySwap: spec.limits.memoryBytes, // no swap on top: over the limit is an OOM kill, not a crawl
      PidsLimit: spec.limits.pids,
      NetworkMode: spec.limits.network === 'none' ? 'none' : 'default',
      ...(spec.output ? { Ulimits: [{ Name: 'fsize', Soft: spec.output.maxBytes, Hard: spec.output.maxBytes }] } : {}),
      AutoRemove: false,
    },
  } as Docker.ContainerCreateOptions;
}
