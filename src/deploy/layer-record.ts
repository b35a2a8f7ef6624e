import type { LambdaClient } from '@aws-sdk/client-lambda';
import { explain, layerVersion, listLayerVersions, type LayerState } from '../aws/lambda.js';
import { DeployError } from '../errors.js';
import { keyOfLayer, zipOfLayer } from './decide.js';

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

/** After PublishLayerVersion: Lambda published the bytes lci checked, or the release stops before anything uses the version. */
export function checkPublished(published: LayerState & { codeSha256: string }, sha256: string): void {
  if (published.codeSha256 !== sha256)
    throw new DeployError(
      `layer version ${published.arn} was published from bytes with CodeSha256 ${published.codeSha256}, not the zip lci checked (${sha256}): the object changed in S3 in between; nothing uses that version (lci will not attach it), re-run`,
    );
}
