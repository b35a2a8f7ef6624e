import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** base64 SHA-256 of a file (Lambda's CodeSha256 for a zip); null when it cannot be read. */
export async function fileSha256(path: string): Promise<string | null> {
  try {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    return hash.digest('base64');
  } catch {
    return null;
  }
}
