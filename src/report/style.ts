import type { Outcome } from '../progress.js';

/**
 * How text for a person is dressed: colour (only where the CLI decided a terminal shows it) and
 * marks that fit the locale's character set. Reports take a Style and stay pure; JSON never does.
 */
export interface Style {
  color: boolean;
  /** The locale is UTF-8: marks may be ✔ ✖ ↓ …; otherwise ASCII. */
  unicode: boolean;
}

/** No colour, Unicode marks: what tests and callers that decide nothing get. */
export const PLAIN: Style = { color: false, unicode: true };

export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'dim';

/** SGR on and off per colour; each closes only what it opened, so painted text can sit inside other text. */
const SGR: Record<Color, [number, number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
};

export function paint(style: Style, color: Color | null | undefined, text: string): string {
  if (!style.color || !color || text === '') return text;
  const [on, off] = SGR[color];
  return `\x1b[${on}m${text}\x1b[${off}m`;
}

/** The status words of every command, by what they mean to the reader: done, failed, needs a look, nothing. */
const STATUS_COLORS: Record<string, Color> = {
  PUBLISHED: 'green',
  DEPLOYED: 'green',
  BUILT: 'green',
  PRUNED: 'green',
  SUCCEEDED: 'green',
  STARTED: 'green',
  DELETED: 'green',
  FAILED: 'red',
  FUNCTION_ERROR: 'red',
  NO_FUNCTION: 'red',
  MISSING: 'red',
  OUT_OF_DATE: 'red',
  INVALID: 'red',
  ERROR: 'red',
  ROLLED_BACK: 'yellow',
  SHIFTING: 'yellow',
  NO_ALIAS: 'yellow',
  STOPPED: 'yellow',
  SUPERSEDED: 'yellow',
  PLANNED: 'cyan',
  IN_PROGRESS: 'cyan',
  DELETE: 'cyan',
  INTACT: 'dim',
  NOTHING: 'dim',
  NO_RUNS: 'dim',
  UP_TO_DATE: 'dim',
  KEEP: 'dim',
};

export function statusColor(status: string): Color | undefined {
  return STATUS_COLORS[status];
}

/** A table cell whose text is shown in a colour (the width counts the text only). */
export interface PaintedCell {
  text: string;
  color: Color | undefined;
}

export function statusCell(status: string): PaintedCell {
  return { text: status, color: statusColor(status) };
}

const MARKS: Record<Outcome, { unicode: string; ascii: string; color: Color }> = {
  done: { unicode: '✔', ascii: '+', color: 'green' },
  failed: { unicode: '✖', ascii: 'x', color: 'red' },
  skipped: { unicode: '↓', ascii: '-', color: 'yellow' },
};

/** The mark before a finished function's line. */
export function mark(style: Style, outcome: Outcome): string {
  const m = MARKS[outcome];
  return paint(style, m.color, style.unicode ? m.unicode : m.ascii);
}

export function ellipsis(style: Style): string {
  return style.unicode ? '…' : '...';
}

export function arrow(style: Style): string {
  return style.unicode ? '→' : '->';
}
