import { posix } from 'node:path';
import type { Architecture, Runtime, RuntimeFamily } from '../config/runtimes.js';
import type { ResolvedFunction } from '../config/types.js';

/**
 * How each runtime family installs dependencies into a Lambda layer layout. Pure: the recipe is
 * a shell script run inside the build container, where /src holds (read-only) exactly the build
 * inputs at their repository paths and /out is the layer's root.
 *
 * Bump the version when the script changes what lands in the layer: it is part of the cache key.
 */
export const RECIPE_VERSION: Record<RuntimeFamily, string> = {
  python: 'python-1',
  nodejs: 'nodejs-1',
  provided: 'provided-1',
};

export function defaultImage(runtime: Runtime, architecture: Architecture): string {
  return `public.ecr.aws/sam/build-${runtime}:latest-${architecture}`;
}

export function imageFor(r: Pick<ResolvedFunction, 'build' | 'runtime' | 'architecture'>): string {
  return r.build.image ?? defaultImage(r.runtime, r.architecture);
}

export function platformFor(architecture: Architecture): string {
  return architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

export const BUILD_ENV: Record<string, string> = {
  HOME: '/tmp',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PIP_NO_CACHE_DIR: '1',
  // Debian-based images mark the system python as externally managed; we install into a target directory.
  PIP_BREAK_SYSTEM_PACKAGES: '1',
  npm_config_cache: '/tmp/.npm',
  npm_config_update_notifier: 'false',
};

/**
 * How long pip and npm keep trying to reach a package index. Their defaults retry with backoff for
 * a long time where a route drops packets (pip: 6 tries of 15 s per request; npm: 3 tries of up to
 * 5 minutes, the 15 minutes of build.timeout), and for 10 s to over a minute where there is no
 * network (build.network: none). With these an unreachable index fails a build within seconds (no
 * network) or about half a minute (connections that time out). pip retries once so that its log
 * says which connection failed (with none it says only "no matching distribution"). Passed before
 * BUILD_ENV and build.env, which may override them; not in the cache key: they change how long an
 * install waits, not what it installs.
 */
export const INDEX_ENV: Record<string, string> = {
  PIP_RETRIES: '1',
  PIP_TIMEOUT: '10',
  npm_config_fetch_retries: '1',
  npm_config_fetch_retry_mintimeout: '2000',
  npm_config_fetch_retry_maxtimeout: '10000',
  npm_config_fetch_timeout: '60000',
};

/** What `uname -m` says in a container running programs of each architecture (natively or under emulation). */
const UNAME_MACHINE: Record<Architecture, string> = { x86_64: 'x86_64', arm64: 'aarch64' };

/**
 * The script for one descriptor (repository-relative). It first says which machine the container
 * runs programs for (in the log) and stops when that is not the function's: an image whose
 * config claims one architecture but whose programs are built for another. The read-only sources
 * are then copied to a writable scratch directory: pip builds local packages in place, npm
 * writes node_modules.
 */
export function buildScript(
  family: RuntimeFamily,
  descriptor: string,
  hasLockfile: boolean,
  architecture: Architecture,
  workdir?: string,
): string {
  if (family === 'python') {
    // pip runs in build.workdir when it is set, which need hold no input of its own: it is made in the copy.
    const cwd = workdir ?? posix.dirname(descriptor);
    const file = posix.relative(cwd === '.' ? '' : cwd, descriptor);
    return [
      ...workingCopy(cwd, architecture, workdir !== undefined),
      `python3 -m pip install --no-compile --target /out/python -r ${shellQuote(file)}`,
    ].join('\n');
  }
  const prelude = workingCopy(posix.dirname(descriptor), architecture);
  const install = hasLockfile
    ? 'npm ci --omit=dev --install-links --no-audit --no-fund'
    : 'npm install --omit=dev --install-links --no-audit --no-fund --no-package-lock';
  return [
    ...prelude,
    install,
    'mkdir -p /out/nodejs/node_modules',
    'if [ -d node_modules ]; then cp -a node_modules/. /out/nodejs/node_modules/; fi',
  ].join('\n');
}

/** The line a build script starts with (its log keeps it; progress does not show it: it is lci's, not the build's). */
export const MACHINE_PROBE = 'lci: build container machine: ';

/** Checks the container's machine, copies the read-only sources to a writable /tmp/build and enters `dir` (repository-relative) there. */
function workingCopy(dir: string, architecture: Architecture, make = false): string[] {
  const machine = UNAME_MACHINE[architecture];
  const at = shellQuote(posix.join('/tmp/build', dir));
  return [
    'set -eu',
    'machine=$(uname -m)',
    `echo "${MACHINE_PROBE}$machine"`,
    `if [ "$machine" != ${machine} ]; then echo "lci: this container runs $machine programs, not ${machine}: the image is not built for ${architecture}" >&2; exit 1; fi`,
    'cp -rL /src /tmp/build',
    ...(make ? [`mkdir -p ${at}`] : []),
    `cd ${at}`,
  ];
}

/** Bump when the command script changes what lands in the output: it is part of the build key. */
export const COMMAND_RECIPE_VERSION = 'command-1';

/**
 * The script for a build command: in a writable copy of the committed files, in the function's
 * (or layer's) directory, run the command (a shell line as written in lambdas.yaml), then copy
 * what it wrote to `output` to /out, which is all that leaves the container.
 */
export function commandScript(root: string, command: string, output: string, architecture: Architecture): string {
  const out = shellQuote(output);
  return [
    ...workingCopy(root, architecture),
    `echo ${shellQuote(`lci: build.command: ${command}`)}`,
    `sh -c ${shellQuote(command)}`,
    `if [ ! -d ${out} ]; then echo ${shellQuote(`lci: build.command finished without writing ${output}/ (build.output)`)} >&2; exit 1; fi`,
    `cp -a ${out}/. /out/`,
  ].join('\n');
}

export function descriptorProblem(family: RuntimeFamily, descriptor: string): string | undefined {
  const file = posix.basename(descriptor);
  if (family === 'nodejs' && file !== 'package.json')
    return `nodejs dependencies are built from a package.json, not ${file}`;
  if (family === 'python' && !/\.(txt|in)$/.test(file))
    return `python dependencies are built from a requirements file (*.txt), not ${file}`;
  return undefined;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
