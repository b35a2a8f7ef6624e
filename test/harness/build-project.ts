import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { lci } from './cli.js';
import { TEST_IMAGE } from './docker.js';
import { GitRepo } from './git-repo.js';
import { writeWheel } from './wheel.js';

// A monorepo whose dependencies build without a network: a local wheel for pip, a file: package
// for npm. The build tests (x86_64 and arm64, containment, errors, clean-up) start from it.

export const CONFIG = `version: 1
artifacts: { bucket: acme-artifacts }
defaults:
  build: { image: "${TEST_IMAGE}" }
environments:
  qa: { branch: main }
functions:
  orders:
    path: services/orders
  invoices:
    path: services/invoices
  hooks:
    path: services/hooks
    runtime: nodejs20.x
`;

const REQUIREMENTS = '# the monorepo library, as a wheel\n../../libs/dist/acme_common-1.0.0-py3-none-any.whl\n';

export function hooksPackage(extra: Record<string, unknown> = {}): string {
  return JSON.stringify(
    { name: 'hooks', version: '1.0.0', dependencies: { jc: 'file:../../libs/jc' }, ...extra },
    null,
    2,
  );
}

export async function monorepo(extra: Record<string, string> = {}): Promise<GitRepo> {
  const repo = GitRepo.create({
    'lambdas.yaml': CONFIG,
    'services/orders/app.py': 'from acme_common import money\n',
    'services/orders/requirements.txt': REQUIREMENTS,
    'services/invoices/app.py': 'from acme_common import money\n',
    'services/invoices/requirements.txt': REQUIREMENTS,
    'services/hooks/index.js': 'exports.handler = async () => require("jc").value;\n',
    'services/hooks/package.json': hooksPackage(),
    'libs/jc/package.json': JSON.stringify({ name: 'jc', version: '1.0.0', main: 'index.js' }),
    'libs/jc/index.js': 'exports.value = 42;\n',
    ...extra,
  });
  await commitLocalPackages(repo, 'services/hooks', 'the wheel and the lockfile');
  return repo;
}

/**
 * What the containers install offline: the acme_common wheel in libs/dist (built here) and the
 * lockfile of the npm package in `npmDir`, committed, as lci builds what the commit holds.
 */
export async function commitLocalPackages(repo: GitRepo, npmDir: string, message: string): Promise<void> {
  await writeWheel(join(repo.dir, 'libs/dist/acme_common-1.0.0-py3-none-any.whl'), 'acme_common', '1.0.0', {
    'acme_common/__init__.py': '',
    'acme_common/money.py': 'CENTS = 100\n',
  });
  execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: join(repo.dir, npmDir),
    stdio: 'ignore',
  });
  repo.commit({}, message);
}

export function zipNames(zip: string): string[] {
  return execFileSync('python3', [
    '-c',
    'import sys,zipfile\nprint("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
    zip,
  ])
    .toString()
    .trim()
    .split('\n');
}

export function unzipText(zip: string, name: string): string {
  return execFileSync('unzip', ['-p', zip, name]).toString();
}

export interface BuildJson {
  functions: {
    name: string;
    status: string;
    error?: string;
    deps: { key: string; source: string; path: string } | null;
    code: { path: string };
  }[];
}

export function buildJson(
  repo: GitRepo,
  args: string[] = [],
  env: Record<string, string> = {},
): { json: BuildJson; code: number; stderr: string } {
  const r = lci(['build', '--json', ...args], { cwd: repo.dir, env });
  return { json: JSON.parse(r.stdout) as BuildJson, code: r.code, stderr: r.stderr };
}
