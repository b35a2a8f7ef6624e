import { PutObjectCommand } from '@aws-sdk/client-s3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MotoS3 } from './harness/moto-s3.js';
import { S3Server, type S3Endpoint } from './harness/s3.js';

// lci uploads code with If-None-Match: * and reads the object only when S3 answers 412. The test
// S3 (s3rver) must refuse as S3 does, or a versioned key would be overwritten in tests where AWS
// keeps it: checked here against s3rver and, as a third party, moto.
for (const [name, start] of [
  ['s3rver', () => S3Server.start()],
  ['moto', () => MotoS3.start()],
] as const) {
  test(`${name}: a conditional PutObject over an existing key is refused with 412 and leaves it; a new key is written`, async () => {
    const s3: S3Endpoint = await start();
    try {
      const put = (key: string, body: string, ifNoneMatch?: string) =>
        s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, IfNoneMatch: ifNoneMatch }));
      await put('a/app.zip', 'first');
      const refused = await put('a/app.zip', 'second', '*').then(
        () => null,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
      );
      assert.is(refused?.$metadata?.httpStatusCode, 412, String(refused));
      assert.is(refused?.name, 'PreconditionFailed');
      assert.is((await s3.get('a/app.zip')).toString(), 'first');
      await put('b/app.zip', 'new', '*');
      assert.is((await s3.get('b/app.zip')).toString(), 'new');
    } finally {
      await s3.close();
    }
  });
}

test.run();
