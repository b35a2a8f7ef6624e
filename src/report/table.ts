/**
 * The one table renderer: columns padded to their widest cell, two spaces apart, the last column
 * left unpadded so long reasons do not drag trailing blanks. Never wraps: a terminal that reports
 * 0 (or no) columns gets the same lines as a wide one.
 */
export function table(titles: string[], rows: string[][]): string[] {
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(titles), ...rows.map(fmt)];
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
