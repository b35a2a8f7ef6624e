/** What lci knows about each runtime family: default descriptor and the lockfiles that pin it. */

export type RuntimeFamily = 'python' | 'nodejs';

export const RUNTIMES = ['python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'nodejs18.x', 'nodejs20.x', 'nodejs22.x'] as const;

export type Runtime = (typeof RUNTIMES)[number];
export type Architecture = 'x86_64' | 'arm64';

export const DEFAULT_RUNTIME: Runtime = 'python3.12';
export const DEFAULT_ARCHITECTURE: Architecture = 'x86_64';

export function runtimeFamily(runtime: Runtime): RuntimeFamily {
  return runtime.startsWith('python') ? 'python' : 'nodejs';
}

export const DEFAULT_DESCRIPTOR: Record<RuntimeFamily, string> = {
  python: 'requirements.txt',
  nodejs: 'package.json',
};

/** Files beside a descriptor whose changes change the installed dependencies. */
export function isLockfile(family: RuntimeFamily, basename: string): boolean {
  if (family === 'nodejs') return NODE_LOCKFILES.has(basename);
  return PYTHON_LOCKFILES.has(basename) || /^requirements.*\.(txt|in)$/.test(basename) || /^constraints.*\.txt$/.test(basename);
}

const NODE_LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', '.npmrc']);
const PYTHON_LOCKFILES = new Set(['poetry.lock', 'Pipfile', 'Pipfile.lock', 'pyproject.toml', 'uv.lock', 'pdm.lock', 'pip.conf']);

/** The handler when lambdas.yaml names none: what `lci generate --with-functions` configures, and `lci invoke --local` runs. */
export const DEFAULT_HANDLER: Record<RuntimeFamily, string> = { python: 'app.handler', nodejs: 'index.handler' };
