/** Just enough HCL to write values Terraform reads back exactly: strings, lists, maps, objects. */

export function hclString(s: string): string {
  const escaped = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  return `"${escaped}"`;
}

export type HclValue = string | number | boolean | HclValue[] | { [key: string]: HclValue };

/** A value at the given indentation; object keys keep their insertion order and align their '='. */
export function hclValue(v: HclValue, indent = ''): string {
  if (typeof v === 'string') return hclString(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    const inner = v.map((x) => hclValue(x, indent + '  '));
    const oneLine = `[${inner.join(', ')}]`;
    return oneLine.length <= 100 && !oneLine.includes('\n') ? oneLine : `[\n${inner.map((x) => `${indent}  ${x},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v);
  if (entries.length === 0) return '{}';
  const keys = entries.map(([k]) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? k : hclString(k)));
  const width = Math.max(...keys.map((k) => k.length));
  const lines = entries.map(([, x], i) => `${indent}  ${keys[i]!.padEnd(width)} = ${hclValue(x, indent + '  ')}`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}
