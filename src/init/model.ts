import { posix } from 'node:path';

/**
 * What a repository already declares about its Lambda functions, read from SAM/CloudFormation
 * templates, serverless.yml or Terraform, in one shape whatever the source: the readers fill it,
 * the mapper turns it into lambdas.yaml. Paths are repository-relative POSIX ('' is the root),
 * already checked to exist inside the repository.
 */

export type SourceKind = 'sam' | 'serverless' | 'terraform';

export const SOURCE_KINDS: readonly SourceKind[] = ['sam', 'serverless', 'terraform'];

/** Where a declaration is: a file and the resource in it, as messages show it. */
export interface Origin {
  kind: SourceKind;
  /** Repository-relative path of the file. */
  file: string;
  /** The resource inside the file: `Resources.OrdersFunction`, `functions.create`, `aws_lambda_function.orders`. */
  at: string;
}

/**
 * A name as the source fixes it. `${env}` stands where the source varies it per environment (a
 * stage parameter, `var.env`, `${sls:stage}`); `per-env` names were read from the account (--aws).
 */
export type DeclaredName =
  | { kind: 'fixed'; value: string }
  /** Nothing in the source fixes it: CloudFormation generates one, `hint` says from what. */
  | { kind: 'generated'; hint: string }
  | { kind: 'per-env'; values: Record<string, string> };

export interface DeclaredFunction {
  origin: Origin;
  /** The source's own name for it: a logical id, a serverless function key, a Terraform resource name. */
  id: string;
  /** What tells it apart from a namesake elsewhere (the nested stack, the service, the module); '' when nothing. */
  scope: string;
  /** The code directory. */
  codeDir: string;
  handler: string | null;
  /** As written; the mapper checks it against lci's runtimes. */
  runtime: string | null;
  architecture: string | null;
  functionName: DeclaredName;
  /** Shared layers it uses, by their `key` in `DeclaredSource.layers`, in order. */
  layers: string[];
  /** Layers it uses that no source declares with local content (ARNs, or expressions). */
  foreignLayers: string[];
  /** Globs relative to codeDir that the source leaves out of the package. */
  exclude: string[];
  /** Globs relative to codeDir packaged even when excluded. */
  include: string[];
  /** The dependency descriptor when the source names one elsewhere than codeDir's default (repository path). */
  descriptor: string | null;
  /** A build step the source asks for (SAM's esbuild, serverless-esbuild). */
  build: DeclaredBuild | null;
}

export interface DeclaredBuild {
  kind: 'esbuild';
  /** Entry points relative to codeDir. */
  entryPoints: string[];
  /** Keep the entry points' directories in the output (serverless-esbuild) instead of flattening them (SAM). */
  keepPaths: boolean;
  target: string | null;
  minify: boolean;
  sourcemap: boolean;
  external: string[];
}

export interface DeclaredLayer {
  origin: Origin;
  /** Identity: what functions' `layers` hold. */
  key: string;
  /** The source's own name for it. */
  id: string;
  contentDir: string;
  runtimes: string[];
  architectures: string[];
  layerName: DeclaredName;
}

/** Something declared that lci cannot take over, and why, in words a person can act on. */
export interface Unmapped {
  origin: Origin;
  reason: string;
}

/** A remark about a declaration that was mapped (a value defaulted, a setting lci now owns). */
export interface Note {
  origin: Origin | null;
  message: string;
}

/** Everything one source kind found, plus the settings a source may fix for the whole project. */
export interface DeclaredSource {
  kind: SourceKind;
  /** The files read, repository-relative. */
  files: string[];
  functions: DeclaredFunction[];
  layers: DeclaredLayer[];
  unmapped: Unmapped[];
  /** Remarks that are not refusals (an unresolved value defaulted, a file skipped). */
  notes: Note[];
  bucket: string | null;
  region: string | null;
}

export function emptySource(kind: SourceKind): DeclaredSource {
  return { kind, files: [], functions: [], layers: [], unmapped: [], notes: [], bucket: null, region: null };
}

/** A path relative to a repository directory, as a repository path ('' for the root). */
export function repoJoin(dir: string, rel: string): string {
  const joined = posix.join(dir || '.', rel);
  return joined === '.' ? '' : joined;
}

export function describeOrigin(o: Origin): string {
  return `${o.file} ${o.at}`;
}
