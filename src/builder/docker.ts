import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { CommandError } from '../errors.js';

/**
 * The Docker edge: pull an image, run one build container, always remove it (on success, on
 * failure, and on Ctrl-C), and hand its output to the caller as it comes.
 */

export interface Bind {
  host: string;
  container: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  image: string;
  platform: string;
  script: string;
  env: Record<string, string>;
  binds: Bind[];
  user: string;
  labels: Record<string, string>;
}

export const LABEL = 'dev.lambda-ci.build';

let client: Promise<Docker> | undefined;

/** Loaded on first use: dockerode costs ~170 ms and ~30 MB, and most runs build no layer. */
export function dockerClient(): Promise<Docker> {
  // DOCKER_HOST and friends are read by docker-modem; default /var/run/docker.sock.
  client ??= import('dockerode').then((m) => new m.default());
  return client;
}

/** Pulls the image when the engine does not have it, reporting progress lines. */
export async function ensureImage(docker: Docker, image: string, platform: string, progress: (line: string) => void): Promise<'present' | 'pulled'> {
  try {
    const info = await docker.getImage(image).inspect();
    const actual = `${info.Os}/${info.Architecture}`;
    if (actual !== platform) {
      throw new CommandError(
        `image ${image} is built for ${actual}, but the function needs ${platform}; use an image for ${platform} (build.image) or change architecture`,
      );
    }
    return 'present';
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  progress(`pulling ${image} (${platform})`);
  const stream = await docker.pull(image, { platform });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(new CommandError(`could not pull ${image}: ${err.message}; pull it yourself or set build.image`)) : resolve()),
      (event: { status?: string; progress?: string; id?: string }) => {
        if (event.status) progress(`pull ${image}: ${[event.id, event.status, event.progress].filter(Boolean).join(' ')}`);
      },
    );
  });
  return 'pulled';
}

/**
 * Runs the script to completion; returns the exit status. The container is gone when this returns
 * or throws, also when `signal` aborts (Ctrl-C): then the abort reason is thrown.
 */
export async function runContainer(docker: Docker, spec: ContainerSpec, onOutput: (chunk: Buffer) => void, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const container = await docker.createContainer({
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
      Binds: spec.binds.map((b) => `${b.host}:${b.container}:${b.readOnly ? 'ro' : 'rw'}`),
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      AutoRemove: false,
    },
  } as Docker.ContainerCreateOptions);
  // Tracked from creation on: an abort between create and start still removes it.
  const remove = () => void container.remove({ force: true }).catch(() => {});
  signal?.addEventListener('abort', remove, { once: true });
  try {
    signal?.throwIfAborted();
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const out = new PassThrough();
    out.on('data', onOutput);
    docker.modem.demuxStream(stream, out, out);
    const ended = new Promise<void>((resolve) => stream.on('end', resolve));
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    signal?.throwIfAborted();
    await Promise.race([ended, new Promise((r) => setTimeout(r, 2000))]); // the last output may trail the exit
    return result.StatusCode;
  } catch (e) {
    signal?.throwIfAborted(); // the abort's reason, not the engine's complaint about a removed container
    throw e;
  } finally {
    signal?.removeEventListener('abort', remove);
    await container.remove({ force: true }).catch(() => {});
  }
}
