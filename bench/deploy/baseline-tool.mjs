// The peer of bench/deploy/one.ts: the smallest tool that releases a function's code the way a
// straightforward SDK script does, one GetFunction and the writes: read the alias's version, zip the
// directory (Info-ZIP), put it in S3, UpdateFunctionCode, wait with the SDK's own waiter
// (waitUntilFunctionUpdatedV2), PublishVersion, UpdateAlias. No record, no preconditions, no
// layers: what lci's extra care is measured against.
// Plain JavaScript, no loader: its start costs what a small Node tool's does.
// Usage: node bench/deploy/baseline-tool.mjs DIR FUNCTION ALIAS BUCKET KEY
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const [dir, fn, alias, bucket, key] = process.argv.slice(2);
const lambda = new LambdaClient({});
const s3 = new S3Client({ forcePathStyle: true });
const before = await lambda.send(new GetFunctionCommand({ FunctionName: fn, Qualifier: alias }));
const zip = join(dir, '..', `baseline-${process.pid}.zip`);
execFileSync('zip', ['-r', '-X', '-q', zip, '.'], { cwd: dir });
await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(zip) }));
rmSync(zip);
await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, S3Bucket: bucket, S3Key: key }));
await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 300 }, { FunctionName: fn });
const published = await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
await lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: alias, FunctionVersion: published.Version }));
console.log(JSON.stringify({ from: before.Configuration?.Version, to: published.Version }));
