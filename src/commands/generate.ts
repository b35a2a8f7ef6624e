import { resolve } from 'node:path';
import type { LoadedProject } from '../config/load.js';
import { requireEnvironment, requireFunctions } from '../config/select.js';
import { generate as render, writeGenerated, type WriteResult } from '../generate/generate.js';

export interface GenerateOptions {
  out: string | undefined;
  envs: string[];
  functions: string[];
  withFunctions: boolean;
  check: boolean;
}

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
  const outDir = resolve(loaded.project.dir, opts.out ?? 'infra/lambda-ci');
  const { files, warnings } = await render(loaded, {
    envs: opts.envs,
    functions: opts.functions,
    withFunctions: opts.withFunctions,
  });
  const result = await writeGenerated(outDir, files, opts.check);
  return { ...result, outDir, files: files.length, check: opts.check, warnings };
}
