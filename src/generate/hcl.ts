/** Values written into generated files so that Terraform and YAML read them back exactly. */

export type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const CONTROL = /[\u0000-\u001f\u007f]/g;
const hex4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A quoted HCL string that is only ever a literal: `${` and `%{` (template interpolation and
 * directives) are doubled, quotes, backslashes and control characters escaped.
 */
export function hclString(s: string): string {
  const escaped = s
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(CONTROL, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : hex4(c)))
    // a function, not '$${': in a replacement string '$$' is one '$' (that was the injection)
    .replace(/\$\{/g, () => '$${')
    .replace(/%\{/g, () => '%%{');
  return `"${escaped}"`;
}

/**
 * A YAML scalar that reads back as exactly `s`: single-quoted (only `'` doubled) when it is
 * printable ASCII, else double-quoted with JSON's escapes (YAML's too), every line break YAML 1.1
 * knows escaped as well.
 */
export function yamlString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, hex4);
}

/** Text for a `#` comment line in HCL or YAML: nothing in it can end the line. */
export function commentText(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return s.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, hex4);
}

/**
 * A value at the given indentation, laid out as `terraform fmt` lays it out: one-line lists,
 * object keys in insertion order with their '=' aligned across each run of one-line values.
 */
export function hclValue(v: HclValue, indent = ''): string {
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = v.map((x) => hclValue(x, `${indent}  `));
    if (inner.every((x) => !x.includes('\n'))) return `[${inner.join(', ')}]`;
    return `[\n${inner.map((x) => `${indent}  ${x},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  const keys = entries.map(([k]) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : hclString(k)));
  const values = entries.map(([, x]) => hclValue(x, `${indent}  `));
  // terraform fmt aligns the '=' of each run of one-line attributes; a multi-line value stands alone.
  const multiLine = values.map((x) => x.includes('\n'));
  const widths = keys.map((k) => k.length);
  for (let start = 0; start < entries.length; ) {
    let end = start;
    while (end < entries.length && !multiLine[end]) end++;
    const width = Math.max(0, ...widths.slice(start, end));
    for (let j = start; j < end; j++) widths[j] = width;
    start = end + 1;
  }
  const lines = entries.map((_, i) => `${indent}  ${keys[i]!.padEnd(widths[i]!)} = ${values[i]}`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}
