import type { LambdaClient } from '@aws-sdk/client-lambda';
import { explain, findLayerVersion, layerVersion, listLayerVersions, type LayerState } from '../aws/lambda.js';
import { keyOfLayer, zipOfLayer } from '../aws/version-record.js';

/**
 * What lci trusts a layer zip by: the digest a layer version's Description records (written only
 * by a role that may publish that layer) and the CodeSha256 Lambda computes of what it published.
 * Never an S3 object's metadata: whoever writes the object writes that too.
 */

/** Whether a version of the layer records this key and this zip digest: the cached zip is the one lci published. */
export async function recordedZip(
  lambda: LambdaClient,
  layerName: string,
  key: string,
  sha256: string,
): Promise<boolean> {
  const versions = await listLayerVersions(lambda, layerName).catch((e: unknown) => {
    throw explain(e, `reading layer ${layerName}`);
  });
  return versions.some((v) => keyOfLayer(v.description) === key && zipOfLayer(v.description) === sha256);
}

/**
 * Whether an existing version holds the zip its Description records (Lambda's CodeSha256 of it),
 * before lci attaches it instead of publishing: one GetLayerVersion. A version an older lci
 * published records no digest and is taken as it is.
 */
export async function holdsRecordedZip(lambda: LambdaClient, layer: LayerState): Promise<boolean> {
  const recorded = zipOfLayer(layer.description);
  if (recorded === null) return true;
  const read = await layerVersion(lambda, layer.arn).catch((e: unknown) => {
    throw explain(e, `reading layer version ${layer.arn}`);
  });
  return read !== null && read.codeSha256 === recorded;
}

/** The version that stands for a key (the oldest that carries it) among those that hold the zip they record. */
export function findTrustedLayerVersion(
  lambda: LambdaClient,
  layerName: string,
  key: string,
): Promise<LayerState | null> {
  return findLayerVersion(lambda, layerName, key, (v) => holdsRecordedZip(lambda, v));
}
