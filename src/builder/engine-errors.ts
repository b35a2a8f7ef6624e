import { BuildImageError, BuildMountError, DockerEngineError } from '../errors.js';

/**
 * What the Docker engine (or the way to it) said, in one line with the fix. Pure: each function
 * takes the error dockerode raised and returns lci's explanation, or null when it has none.
 */

interface EngineFailure {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  statusCode?: number;
  json?: { message?: string } | null;
  message?: string;
  errors?: EngineFailure[];
}

const START = 'start the engine (dockerd, Docker Desktop) or set DOCKER_HOST to its address';

/** Why a connection to the engine failed, by the errno Node reported; null for any other error. */
export function explainEngineError(error: unknown, dockerHost: string | undefined): DockerEngineError | null {
  const e = (error ?? {}) as EngineFailure;
  const code = e.code ?? e.errors?.[0]?.code;
  if (!code) return null;
  const where = engineAddress(e, dockerHost);
  const say = (what: string, fix: string) =>
    new DockerEngineError(`cannot reach the Docker engine at ${where}: ${what}; ${fix}`);
  switch (code) {
    case 'ENOENT':
      return say('no such socket', START);
    case 'ECONNREFUSED':
      return say('connection refused, the daemon is not running there', START);
    case 'EACCES':
    case 'EPERM':
      return say(
        'permission denied on the socket',
        'add your user to the docker group (and log in again), or run lci as a user who may use Docker',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return say('unknown host', 'fix DOCKER_HOST');
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
    case 'EPIPE':
      return say(`the connection failed (${code})`, `check that the engine runs and DOCKER_HOST points at it`);
    default:
      return null;
  }
}

/** DOCKER_HOST as docker-modem reads it, or where it looks without one. */
function engineAddress(e: EngineFailure, dockerHost: string | undefined): string {
  if (dockerHost) return `${dockerHost} (DOCKER_HOST)`;
  const socket = e.address ?? e.errors?.[0]?.address;
  return `unix://${socket ?? '/var/run/docker.sock'} (the default; DOCKER_HOST is not set)`;
}

/** DOCKER_HOST that docker-modem cannot parse. */
export function badDockerHost(dockerHost: string): DockerEngineError {
  return new DockerEngineError(
    `DOCKER_HOST=${JSON.stringify(dockerHost)} is not an engine address; use unix:///var/run/docker.sock, tcp://HOST:2375 or ssh://USER@HOST, or unset it`,
  );
}

/** The image is not on the engine and pulling it failed (no registry, no such image, no login). */
export function imageUnavailable(image: string, error: unknown): BuildImageError {
  return new BuildImageError(
    `image ${image} is not on the Docker engine and could not be pulled (${engineMessage(error)}); ` +
      `provide it: docker pull ${image} where the registry is reachable, or docker load -i IMAGE.tar, or set build.image to an image the engine has`,
  );
}

/** Docker refused a bind mount: the path is not where the engine looks (another machine, another container). */
export function explainCreateError(error: unknown): BuildMountError | null {
  const message = engineMessage(error);
  const e = (error ?? {}) as EngineFailure;
  if (e.statusCode !== 400 || !/mount|bind/i.test(message)) return null;
  const path = /bind source path does not exist: (.+)$/.exec(message)?.[1];
  return new BuildMountError(
    `Docker cannot mount ${path ?? 'a build input'} into the build container (${message}): the engine does not see lci's files at this path; ` +
      'run lci on the machine or in the container whose files the engine sees, or share the directory with the engine (Docker Desktop: Settings > Resources > File sharing)',
  );
}

/** The engine's own words, on one line. */
export function engineMessage(error: unknown): string {
  const e = (error ?? {}) as EngineFailure;
  const text = e.json?.message ?? e.message ?? String(error);
  return text
    .replace(/^\(HTTP code \d+\)\s*[\w ]*-\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
