import { readFileSync, writeFileSync } from 'node:fs';
import { writeZip, type ZipEntry } from '../../src/package/zip.js';

/**
 * A zip whose entry names lci's own writer refuses (`../../x`, `a\b`, a newline): what an attacker
 * with write access to a cache could put there. Written with stand-in names of the same length,
 * then the stand-ins are replaced in the local headers and the central directory.
 */
export async function writeHostileZip(entries: ZipEntry[], out: string): Promise<void> {
  const standIns = entries.map((e, i) => {
    const length = Buffer.byteLength(e.name);
    const tag = `Z${i}Z`;
    if (length < tag.length) throw new Error(`entry name '${e.name}' is too short to stand in for`);
    return tag.padEnd(length, 'z');
  });
  await writeZip(
    entries.map((e, i) => ({ ...e, name: standIns[i]! })),
    out,
  );
  const bytes = readFileSync(out);
  entries.forEach((e, i) => {
    const from = Buffer.from(standIns[i]!);
    const to = Buffer.from(e.name);
    let at = bytes.indexOf(from);
    let found = 0;
    for (; at !== -1; at = bytes.indexOf(from, at + to.length)) {
      to.copy(bytes, at);
      found++;
    }
    if (found !== 2) throw new Error(`stand-in for '${e.name}' found ${found} times, not twice`);
  });
  writeFileSync(out, bytes);
}
