import type { ArtifactStore } from '../aws/artifact-store.js';
import type { Environment } from '../config/types.js';
import { CodeStorageError, DeployError } from '../errors.js';

/**
 * codeStorage: reference needs a versioned bucket: Lambda pins the object version lci uploaded, and
 * S3 gives versions only when versioning is Enabled. One GetBucketVersioning, before anything is
 * built, uploaded or released; nothing for an environment that copies.
 */
export async function requireVersionedBucket(store: ArtifactStore, env: Environment, prefix: string): Promise<void> {
  if (env.codeStorage !== 'reference') return;
  const status = await store.versioning().catch((e: Error) => {
    throw new DeployError(
      `reading the versioning of bucket ${store.bucket} failed (${e.name}: ${e.message}); environment ${env.name} keeps its code by reference (codeStorage: reference), which lci checks first: the deploying role needs s3:GetBucketVersioning on arn:aws:s3:::${store.bucket}. Nothing was written`,
    );
  });
  if (status === 'Enabled') return;
  throw new CodeStorageError(
    `environment ${env.name} keeps its code by reference (codeStorage: reference), which needs versioning on bucket ${store.bucket}, and its versioning is ${status === 'Suspended' ? 'suspended' : 'not enabled'}; enable it (aws s3api put-bucket-versioning --bucket ${store.bucket} --versioning-configuration Status=Enabled, or the Terraform lci generate writes) and let Lambda read the code: a bucket policy allowing the principal lambda.amazonaws.com s3:GetObject and s3:GetObjectVersion on arn:aws:s3:::${store.bucket}/${prefix}/* when aws:SourceAccount is your account (docs/configuration.md: Code storage), or set codeStorage: copy. Nothing was written`,
  );
}
