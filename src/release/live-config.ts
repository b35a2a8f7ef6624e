import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { ResolvedFunction } from '../config/types.js';

/**
 * Where the live function disagrees with lambdas.yaml on what lci builds for: runtime,
 * architecture, handler (when lambdas.yaml names one). Terraform owns these; lci refuses to
 * release into a function that is not what it built for. One line per field. Pure.
 */
export function configurationMismatch(r: ResolvedFunction, live: FunctionConfiguration): string[] {
  const out: string[] = [];
  const differ = (field: string, theirs: string | undefined, ours: string) => {
    if (theirs !== ours)
      out.push(`${field}: Terraform (the live function) says ${theirs ?? 'nothing'}, lambdas.yaml says ${ours}`);
  };
  if (live.PackageType !== 'Image') differ('runtime', live.Runtime, r.runtime);
  differ('architecture', (live.Architectures ?? ['x86_64'])[0], r.architecture);
  if (r.handler !== null) differ('handler', live.Handler, r.handler);
  return out;
}
