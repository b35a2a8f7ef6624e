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
export const RECIPE_VERSION: Record<RuntimeFamily, string> = { python: 'python-1', nodejs: 'nodejs-1' };

export function defaultImage(runtime: Runtime, architecture: Architecture): string {
  return `public.ecr.aws/sam/build-${runtime}:latest-${architecture}`;
}

export function imageFor(r: ResolvedFunction): string {
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
 * The script for one descriptor (repository-relative). The read-only sources are copied to a
 * writable scratch directory first: pip builds local packages in place, npm writes node_modules.
 */
export function buildScript(family: RuntimeFamily, descriptor: string, hasLockfile: boolean): string {
  const dir = posix.dirname(descriptor);
  const file = posix.basename(descriptor);
  const prelude = ['set -eu', 'cp -rL /src /tmp/build', `cd ${shellQuote(posix.join('/tmp/build', dir))}`];
  if (family === 'python') {
    return [...prelude, `python3 -m pip install --no-compile --target /out/python -r ${shellQuote(file)}`].join('\n');
  }
  const install = hasLockfile
    ? 'npm ci --omit=dev --install-links --no-audit --no-fund'
    : 'npm install --omit=dev --install-links --no-audit --no-fund --no-package-lock';
  return [...prelude, install, 'mkdir -p /out/nodejs/node_modules', 'if [ -d node_modules ]; then cp -a node_modules/. /out/nodejs/node_modules/; fi'].join(
    '\n',
  );
}

export function descriptorProblem(family: RuntimeFamily, descriptor: string): string | undefined {
  const file = posix.basename(descriptor);
  if (family === 'nodejs' && file !== 'package.json') return `nodejs dependencies are built from a package.json, not ${file}`;
  if (family === 'python' && !/\.(txt|in)$/.test(file)) return `python dependencies are built from a requirements file (*.txt), not ${file}`;
  return undefined;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
