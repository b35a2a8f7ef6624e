import { resolve } from 'node:path';
import type { LoadedProject } from '../config/load.js';
import { requireEnvironment, requireFunctions } from '../config/select.js';
import { UsageError } from '../errors.js';
import { generate as render, writeGenerated, type WriteResult } from './generate.js';
import type { Layout } from './render.js';

export interface GenerateOptions {
  out: string | undefined;
  envs: string[];
  functions: string[];
  withFunctions: boolean;
  check: boolean;
  layout: Layout;
  /** Builds of each environment's batch (layout environment); default DEFAULT_SHARDS. */
  shards: number | undefined;
}

export const DEFAULT_SHARDS = 4;

export interface GenerateResult extends WriteResult {
  outDir: string;
  files: number;
  check: boolean;
  warnings: string[];
}

/** lci generate: the buildspec and Terraform, written (or, with check, compared) under --out. */
export async function generate(loaded: LoadedProject, opts: GenerateOptions): Promise<GenerateResult> {
  for (const e of opts.envs) requireEnvironment(loaded.project, e);
  requireFunctions(loaded.project, opts.functions);
  if (opts.layout === 'environment' && opts.functions.length > 0)
    throw new UsageError(
      '--layout environment: a pipeline releases every function of its environment; leave out --function',
    );
  if (opts.layout !== 'environment' && opts.shards !== undefined)
    throw new UsageError('--shards goes with --layout environment');
  const outDir = resolve(loaded.project.dir, opts.out ?? 'infra/lambda-ci');
  const { files, warnings } = await render(loaded, {
    envs: opts.envs,
    functions: opts.functions,
    withFunctions: opts.withFunctions,
    layout: opts.layout,
    shards: opts.shards ?? DEFAULT_SHARDS,
  });
  const result = await writeGenerated(outDir, files, opts.check);
  return { ...result, outDir, files: files.length, check: opts.check, warnings };
}
