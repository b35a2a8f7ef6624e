import type { LambdaClient } from '@aws-sdk/client-lambda';
import { explain, readState, type DeployedState } from '../aws/lambda.js';
import type { CodeStorage, ResolvedFunction } from '../config/types.js';
import { FunctionMissingError } from '../errors.js';
import { parseVersionRecord } from '../aws/version-record.js';
import { attachedLayerVersion } from '../release/layers.js';

/** SHIFTING: traffic on two versions, by a deploy holding now or one that did not finish (the next deploy resumes it). */
export type ServingStatus = 'DEPLOYED' | 'SHIFTING' | 'NO_ALIAS' | 'NO_FUNCTION';

export interface FunctionStatus {
  name: string;
  env: string;
  awsName: string;
  alias: string;
  status: ServingStatus;
  version: string | null;
  /** The deployed source version (the version's Description). */
  sourceVersion: string | null;
  layerVersion: number | null;
  codeSha256: string | null;
  lastModified: string | null;
  /** Extra version → weight while traffic shifts. */
  weights: Record<string, number>;
  /**
   * Where the served version's code lives: a copy in Lambda (its bytes count against the region's
   * code storage) or a reference to an S3 object version (they do not); `wanted` is the environment's
   * codeStorage (the next deploy releases a version kept the other way). Null without a version.
   */
  storage: {
    mode: CodeStorage;
    wanted: CodeStorage;
    /** CodeSize: Lambda-managed bytes for a copy, bytes in S3 for a reference. */
    bytes: number;
    /** The object version a REFERENCE version runs from. */
    s3: string | null;
  } | null;
}

/** What one function's alias serves: its version's configuration (GetFunction) and the alias with its weights (GetAlias). */
export async function functionStatus(
  lambda: LambdaClient,
  r: ResolvedFunction,
  wanted: CodeStorage = 'copy',
): Promise<FunctionStatus> {
  const base: FunctionStatus = {
    name: r.name,
    env: r.env,
    awsName: r.functionName,
    alias: r.alias,
    status: 'NO_FUNCTION',
    version: null,
    sourceVersion: null,
    layerVersion: null,
    codeSha256: null,
    lastModified: null,
    weights: {},
    storage: null,
  };
  let state: DeployedState;
  try {
    state = await readState(lambda, r.functionName, r.alias);
  } catch (e) {
    if (e instanceof FunctionMissingError) return base;
    throw explain(e, `reading ${r.functionName}`);
  }
  const { alias, serving: config, code } = state;

  return {
    ...base,
    status: !alias ? 'NO_ALIAS' : Object.keys(alias.weights).length > 0 ? 'SHIFTING' : 'DEPLOYED',
    version: config.Version ?? null,
    sourceVersion: alias ? (parseVersionRecord(config.Description).sourceVersion ?? null) : null,
    layerVersion: attachedLayerVersion(config, r.layerName),
    codeSha256: config.CodeSha256 ?? null,
    lastModified: config.LastModified ?? null,
    weights: alias?.weights ?? {},
    storage: {
      mode: code.storage,
      wanted,
      bytes: config.CodeSize ?? 0,
      s3:
        code.storage === 'reference'
          ? `s3://${code.bucket}/${code.key}${code.objectVersion ? `?versionId=${code.objectVersion}` : ''}`
          : null,
    },
  };
}
