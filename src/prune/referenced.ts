import type { LambdaClient } from '@aws-sdk/client-lambda';
import { type CodeLocation, explain, getFunction, layerVersion } from '../aws/lambda.js';
import { objectRef } from './prune-plan.js';

/**
 * The S3 object versions that versions of a function and layer versions run from by reference
 * (GetFunction's Code.ResolvedS3Object, GetLayerVersion's Content.ResolvedS3Object), as
 * `key versionId`: what prune must never delete. Lambda's own answer, not lci's records: a version
 * published by hand, or one whose Description says otherwise, is read like any other. One
 * GetFunction (its own 100/s quota) per version and one GetLayerVersion per layer version.
 */
export async function referencedObjects(
  lambda: LambdaClient,
  bucket: string,
  functionName: string,
  versions: string[],
  layerArns: string[],
): Promise<Set<string>> {
  const [functions, layers] = await Promise.all([
    Promise.all(
      versions.map((v) =>
        getFunction(lambda, functionName, v).then(
          (r) => r.code,
          (e: unknown) => {
            throw explain(e, `reading where version ${v} of ${functionName} keeps its code`);
          },
        ),
      ),
    ),
    Promise.all(
      layerArns.map((arn) =>
        layerVersion(lambda, arn).then(
          (r) => r?.code ?? ({ storage: 'copy' } as CodeLocation),
          (e: unknown) => {
            throw explain(e, `reading where layer version ${arn} keeps its code`);
          },
        ),
      ),
    ),
  ]);
  const out = new Set<string>();
  for (const c of [...functions, ...layers])
    if (c.storage === 'reference' && c.bucket === bucket && c.objectVersion)
      out.add(objectRef({ key: c.key, versionId: c.objectVersion }));
  return out;
}
