import { UsageError } from '../errors.js';

/**
 * The one reader of the numbers flags and LCI_* variables take. Decimal digits only: no sign, no
 * hex (`0x10`), no exponent (`1e2`), no spaces, no `Infinity`, each within a documented range, so
 * a typo is refused instead of read as something else.
 */
const WHOLE = /^[0-9]{1,15}$/;
const DECIMAL = /^[0-9]{1,15}(?:\.[0-9]{1,15})?$/;

/** The value of a decimal number as written (`7`, `7.5`), or null when it is not one. */
export function decimal(text: string, fractions = true): number | null {
  return (fractions ? DECIMAL : WHOLE).test(text) ? Number(text) : null;
}

/** A whole number from `min` to `max`; `source` is the flag or variable, for the message. */
export function parseWhole(source: string, text: string, min: number, max: number): number {
  const n = decimal(text, false);
  if (n === null || n < min || n > max)
    throw new UsageError(`${source} ${text}: give a whole number from ${min} to ${max}, in decimal digits`);
  return n;
}

/** A number with an optional decimal fraction, from `min` to `max`. */
export function parseDecimal(source: string, text: string, min: number, max: number, what: string): number {
  const n = decimal(text);
  if (n === null || n < min || n > max)
    throw new UsageError(`${source} ${text}: give ${what} from ${min} to ${max}, in decimal digits (e.g. 7.5)`);
  return n;
}
