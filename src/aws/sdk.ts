import { createRequire } from 'node:module';

/**
 * The AWS SDK packages, loaded with require(). They ship one CommonJS bundle per client;
 * import() of it makes Node's ESM loader lex the whole bundle for its exports, which costs more
 * than running it (the Lambda and S3 clients: ~620 ms through import(), ~170 ms through require(),
 * measured on this repository's 2-core CI machine). Each is loaded on first use: `lci plan` never
 * loads any, a no-op deploy only Lambda's.
 */
const require = createRequire(import.meta.url);

export const lambdaSdk = (): typeof import('@aws-sdk/client-lambda') => require('@aws-sdk/client-lambda');
export const s3Sdk = (): typeof import('@aws-sdk/client-s3') => require('@aws-sdk/client-s3');
export const s3UploadSdk = (): typeof import('@aws-sdk/lib-storage') => require('@aws-sdk/lib-storage');
export const cloudWatchSdk = (): typeof import('@aws-sdk/client-cloudwatch') => require('@aws-sdk/client-cloudwatch');
export const logsSdk = (): typeof import('@aws-sdk/client-cloudwatch-logs') =>
  require('@aws-sdk/client-cloudwatch-logs');
export const codePipelineSdk = (): typeof import('@aws-sdk/client-codepipeline') =>
  require('@aws-sdk/client-codepipeline');
