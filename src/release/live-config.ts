import type { FunctionConfiguration } from '@aws-sdk/client-lambda';

/** What lci builds a function for, as lambdas.yaml says: the live function must agree. */
export interface BuiltFor {
  runtime: string;
  architecture: string;
  /** Null when lambdas.yaml names none (then any handler goes). */
  handler: string | null;
  /** The descriptor (repository path) the dependencies come from, for messages. */
  descriptorPath: string | null;
}

/**
 * Where a function's configuration (a published version's, or $LATEST's) disagrees with
 * lambdas.yaml on what lci builds for: runtime, architecture, handler (when lambdas.yaml names
 * one). Terraform owns these; lci refuses to release into a function that is not what it built
 * for. One line per field. Pure.
 */
export function configurationMismatch(want: BuiltFor, live: FunctionConfiguration): string[] {
  const out: string[] = [];
  const differ = (field: string, theirs: string | undefined, ours: string) => {
    if (theirs !== ours)
      out.push(`${field}: Terraform (the live function) says ${theirs ?? 'nothing'}, lambdas.yaml says ${ours}`);
  };
  if (live.PackageType !== 'Image') differ('runtime', live.Runtime, want.runtime);
  differ('architecture', (live.Architectures ?? ['x86_64'])[0], want.architecture);
  if (want.handler !== null) differ('handler', live.Handler, want.handler);
  return out;
}
