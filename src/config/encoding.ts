import { isUtf8 } from 'node:buffer';

/** A config file's text, or where and why its bytes are not UTF-8. Pure. */
export type Decoded = { ok: true; text: string } | { ok: false; line: number; col: number; message: string };

const FIX = 'lci reads config files as UTF-8';

/**
 * The bytes as UTF-8 text. Anything else is located instead of silently replaced: a UTF-16 or
 * UTF-32 file is recognised as YAML 1.2 (5.2) does, by its byte-order mark or, without one, by
 * where the NUL bytes of its first character fall; otherwise the first byte that starts no valid
 * UTF-8 sequence is named with its offset, line and column.
 */
export function decodeConfig(bytes: Buffer): Decoded {
  const wide = wideEncoding(bytes);
  if (wide)
    return {
      ok: false,
      line: 1,
      col: 1,
      message: `the file is ${wide.name} (${wide.how}); ${FIX}: save it as UTF-8 (e.g. iconv -f ${wide.name} -t UTF-8)`,
    };
  if (isUtf8(bytes)) return { ok: true, text: bytes.toString('utf8') };
  const at = firstInvalidUtf8(bytes);
  const lineStart = bytes.lastIndexOf(0x0a, at - 1) + 1;
  return {
    ok: false,
    line: countNewlines(bytes, at) + 1,
    // Columns count characters, as every other location does (the line up to `at` is valid UTF-8).
    col: bytes.subarray(lineStart, at).toString('utf8').length + 1,
    message: `invalid UTF-8 at byte offset ${at} (${hex(bytes[at]!)}); ${FIX}: fix the character there, or save the file as UTF-8`,
  };
}

function wideEncoding(b: Buffer): { name: string; how: string } | null {
  const bom = (name: string, n: number) => ({
    name,
    how: `byte-order mark ${[...b.subarray(0, n)].map(hex).join(' ')}`,
  });
  const nulls = (name: string) => ({ name, how: 'NUL bytes in its first character' });
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return bom('UTF-32BE', 4);
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return bom('UTF-32LE', 4);
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return bom('UTF-16BE', 2);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return bom('UTF-16LE', 2);
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] !== 0) return nulls('UTF-32BE');
  if (b.length >= 4 && b[0] !== 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) return nulls('UTF-32LE');
  if (b.length >= 2 && b[0] === 0 && b[1] !== 0) return nulls('UTF-16BE');
  if (b.length >= 2 && b[0] !== 0 && b[1] === 0) return nulls('UTF-16LE');
  return null;
}

/** Offset of the first byte that starts no well-formed UTF-8 sequence (Unicode 15, table 3-7). */
export function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}

function countNewlines(b: Buffer, end: number): number {
  let n = 0;
  for (let i = b.indexOf(0x0a); i !== -1 && i < end; i = b.indexOf(0x0a, i + 1)) n++;
  return n;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
}
