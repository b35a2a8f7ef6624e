import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { GitRepo } from './git-repo.js';
import { tempDir } from './tmp.js';

/** examples/monorepo as a fresh git repository with one commit. */
export function exampleRepo(): GitRepo {
  const dir = tempDir();
  // What a clone has: not the .lci a local run of lci left in the example.
  cpSync(join(REPO_ROOT, 'examples/monorepo'), dir, { recursive: true, filter: (src) => !/[\\/]\.lci$/.test(src) });
  const repo = new GitRepo(dir);
  repo.git('init', '-q', '-b', 'main');
  repo.commit({}, 'example');
  return repo;
}

/** The pipelines lci generate writes for it: every function × environment but notifier's prod (skipped). */
export const EXAMPLE_PIPELINES = [
  'lci-invoice-worker-prod',
  'lci-invoice-worker-qa',
  'lci-notifier-qa',
  'lci-orders-api-prod',
  'lci-orders-api-qa',
  'lci-webhooks-prod',
  'lci-webhooks-qa',
];
