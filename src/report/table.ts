import { printable } from '../errors.js';
import { paint, PLAIN, type PaintedCell, type Style } from './style.js';

export type Cell = string | PaintedCell;

/**
 * The one table renderer: columns padded to their widest cell, two spaces apart, the last column
 * left unpadded so long reasons do not drag trailing blanks. Never wraps: a terminal that reports
 * 0 (or no) columns gets the same lines as a wide one. Cells are made printable (a changed path
 * git reports may hold any byte but `/` and NUL); a painted cell is coloured after padding, so
 * colour never moves a column.
 */
export function table(titles: string[], cells: Cell[][], style: Style = PLAIN): string[] {
  const rows = cells.map((r) =>
    r.map((c) =>
      typeof c === 'string' ? { text: printable(c), color: undefined } : { ...c, text: printable(c.text) },
    ),
  );
  const widths = titles.map((t, i) => Math.max(t.length, ...rows.map((r) => (r[i]?.text ?? '').length)));
  const fmt = (cells: PaintedCell[]) => {
    let end = cells.length - 1;
    while (end >= 0 && cells[end]!.text.trimEnd() === '') end--;
    return cells
      .slice(0, end + 1)
      .map((c, i) =>
        i === end
          ? paint(style, c.color, c.text.trimEnd())
          : paint(style, c.color, c.text) + ' '.repeat(widths[i]! - c.text.length),
      )
      .join('  ');
  };
  return [fmt(titles.map((t) => ({ text: t, color: undefined }))), ...rows.map(fmt)];
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
