import { printable } from '../errors.js';

/**
 * The one table renderer: columns padded to their widest cell, two spaces apart, the last column
 * left unpadded so long reasons do not drag trailing blanks. Never wraps: a terminal that reports
 * 0 (or no) columns gets the same lines as a wide one. Cells are made printable (a changed path
 * git reports may hold any byte but `/` and NUL).
 */
export function table(titles: string[], cells: string[][]): string[] {
  const rows = cells.map((r) => r.map(printable));
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
