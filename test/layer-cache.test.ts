import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArtifactStore } from '../src/aws/artifact-store.js';
import type { DepsArtifact } from '../src/builder/dependency-builder.js';
import type { Workspace } from '../src/config/types.js';
import { Pusher } from '../src/artifacts/push.js';
import { writeZip } from '../src/package/zip.js';
import { S3Server } from './harness/s3.js';
import { tempDir } from './harness/tmp.js';

// A layer cache object is published only on the owner's word: a layer version lci published
// records its digest. Its digest and unzipped size are measured from the bytes downloaded, never
// read from the metadata whoever wrote the object also wrote. Real S3 (s3rver), lci's own Pusher.

const KEY = 'lambda-ci/_lci/deps/qa/gamma/0123456789abcdef0123456789abcdef.zip';

let s3: S3Server;
const cache = suite('layer cache: trusted by the owner’s record, measured, never by metadata');

cache.before(async () => {
  s3 = await S3Server.start();
});
cache.after(async () => {
  await s3.close();
});

/** A zip of `size` zero bytes (a few KB compressed), uploaded at KEY with the metadata a writer chose; its real digest. */
async function cached(size: number, metadata: Record<string, string>): Promise<string> {
  const path = join(tempDir(), 'layer.zip');
  const data = Buffer.alloc(size);
  await writeZip([{ name: 'python/big.bin', source: { data }, size, executable: false }], path);
  const bytes = readFileSync(path);
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: KEY, Body: bytes, Metadata: metadata }));
  return createHash('sha256').update(bytes).digest('base64');
}

function pusher(): { push: Pusher; reports: string[] } {
  const store = new ArtifactStore(async () => s3.client, s3.bucket, 'lambda-ci');
  const ws = { root: tempDir(), configDirInRepo: '', stateDir: tempDir(), tracked: async () => null } as Workspace;
  const reports: string[] = [];
  const push = new Pusher(store, ws, { name: 'gamma', functionName: 'gamma', env: 'qa' }, 'abc', (m) =>
    reports.push(m),
  );
  return { push, reports };
}

const built = (): Promise<DepsArtifact> => {
  throw new Error('built');
};

cache(
  'a zip a layer version records is reused; its unzipped size is measured, not the 1 byte its metadata claims',
  async () => {
    const sha = await cached(3_000_000, { 'lci-zip-sha256': 'forged', 'lci-unzipped-bytes': '1' });
    const { push, reports } = pusher();
    const seen: Record<string, number>[] = [];
    const got = await push.layerCache(
      KEY,
      'k',
      built,
      (_label, groups) => seen.push(groups),
      async (s) => s === sha,
    );
    assert.is(got.codeSha256, sha);
    assert.equal(seen, [{ 'layer (from S3)': 3_000_000 }]);
    assert.ok(reports.includes('dependencies: reusing the layer zip already in S3'), reports.join('\n'));
  },
);

cache(
  'metadata that matches the bytes is not enough: without a layer version recording the digest, it is built again',
  async () => {
    // as lci before this change wrote it: the metadata names the bytes' own digest
    const bytes = readFileSync(await zipOf(1000));
    const sha = createHash('sha256').update(bytes).digest('base64');
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: KEY,
        Body: bytes,
        Metadata: { 'lci-zip-sha256': sha, 'lci-unzipped-bytes': '1000', 'lci-deps-key': 'k' },
      }),
    );
    const { push, reports } = pusher();
    let builds = 0;
    const rebuilt = join(tempDir(), 'rebuilt.zip');
    await writeZip(
      [{ name: 'python/ok.py', source: { data: Buffer.from('x = 1\n') }, size: 6, executable: false }],
      rebuilt,
    );
    const sha2 = createHash('sha256').update(readFileSync(rebuilt)).digest('base64');
    const got = await push.layerCache(
      KEY,
      'k',
      async () => {
        builds++;
        return { path: rebuilt, sha256: sha2, unzippedBytes: 6, groups: { layer: 6 } } as unknown as DepsArtifact;
      },
      () => {},
      async () => false,
    );
    assert.is(builds, 1);
    assert.is(got.codeSha256, sha2, 'what is published is what was built now');
    assert.match(reports.join('\n'), /is not usable \(no layer version lci published records its bytes \(SHA-256 /);
  },
);

async function zipOf(size: number): Promise<string> {
  const path = join(tempDir(), 'z.zip');
  const data = Buffer.alloc(size, 1);
  await writeZip([{ name: 'python/x.bin', source: { data }, size, executable: false }], path);
  return path;
}

cache.run();
