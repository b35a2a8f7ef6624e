import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeZip } from '../../src/package/zip.js';
import type { AwsWorld } from './aws-world.js';
import { TEST_IMAGE } from './docker.js';
import { GitRepo } from './git-repo.js';
import { tempDir } from './tmp.js';
import { writeWheel } from './wheel.js';

/**
 * A monorepo to deploy: alpha and beta (code only), and with `deps` gamma (python, a local wheel
 * as its dependency, built in Docker). qa deploys branch main to alias qa, prod tags to alias live.
 */
export function deployConfig(opts: { deps?: boolean; extra?: string; envExtra?: string } = {}): string {
  return `version: 1
artifacts: { bucket: acme-artifacts, region: eu-west-1 }
defaults:
  build: { image: "${TEST_IMAGE}" }
environments:
  qa: { branch: main${opts.envExtra ?? ''} }
  prod: { tag: "v*", alias: live }
functions:
  alpha:
    path: svc/alpha
    descriptor: false
    functionName: "alpha-\${env}"
  beta:
    path: svc/beta
    descriptor: false
${opts.deps ? '  gamma:\n    path: svc/gamma\n' : ''}${opts.extra ?? ''}`;
}

export async function deployRepo(opts: { deps?: boolean; extra?: string; envExtra?: string } = {}): Promise<GitRepo> {
  const repo = GitRepo.create({
    'lambdas.yaml': deployConfig(opts),
    'svc/alpha/app.py': 'def handler(event, context):\n    return "alpha"\n',
    'svc/beta/app.py': 'def handler(event, context):\n    return "beta"\n',
    ...(opts.deps
      ? {
          'svc/gamma/app.py': 'import acme\n',
          'svc/gamma/requirements.txt': '../../libs/acme-1.0.0-py3-none-any.whl\n',
        }
      : {}),
    '.gitignore': '.lci/\n',
  });
  if (opts.deps) {
    await writeWheel(join(repo.dir, 'libs/acme-1.0.0-py3-none-any.whl'), 'acme', '1.0.0', {
      'acme/__init__.py': 'VERSION = 1\n',
    });
    repo.commit({}, 'the wheel');
  }
  return repo;
}

/** What Terraform would have made: each function with version 1 of some old code and its alias on it. */
export async function seedFunctions(world: AwsWorld, names: { name: string; alias: string }[]): Promise<void> {
  const zip = await oldCode();
  for (const n of names)
    world.lambda.seedFunction({ name: n.name, runtime: 'python3.12', handler: 'app.handler', zip, aliases: [n.alias] });
}

export const QA_FUNCTIONS = [
  { name: 'alpha-qa', alias: 'qa' },
  { name: 'beta', alias: 'qa' },
];

let old: Buffer | undefined;
async function oldCode(): Promise<Buffer> {
  if (!old) {
    const path = join(tempDir(), 'old.zip');
    const data = Buffer.from('def handler(e, c):\n    return "old"\n');
    await writeZip([{ name: 'app.py', source: { data }, size: data.length, executable: false }], path);
    old = readFileSync(path);
  }
  return old;
}

export interface DeployJson {
  env: string;
  sourceVersion: string;
  functions: {
    name: string;
    awsName: string;
    status: string;
    version: string | null;
    previousVersion: string | null;
    layer: { action: string | null; version: number | null };
    code: { action: string | null; sha256: string | null; zip: string };
    s3: string[];
    calls: string[];
    error?: string;
  }[];
}
