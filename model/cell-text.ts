/**
 * Reading typed text as a column's value: numbers with thousands separators or a decimal comma, yes/no
 * words, partial dates, and codes matched to a column's list ignoring case. The grid's editors and
 * paste (`client/grid/values.ts`) and the server's import use the same rules.
 */
import type { Column } from './columns';

export const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 'yes', 'y', '1', 'x', '✓']);
export const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'no', 'n', '0']);

/** A yes/no word (any case) as a boolean, or null when it is none. */
export function parseBoolean(text: string): boolean | null {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return null;
}

/** A number as people type it, or null when the text is not one. */
export function parseNumber(text: string): number | null {
  // Commas before groups of three digits group thousands ("1,234"); any other lone comma is a
  // decimal comma ("3,5"). Spaces (also thin ones) group digits.
  const plain = text.replace(/[\s\u202f]/g, '');
  const normalized = /^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(plain)
    ? plain.replace(/,/g, '')
    : /^[-+]?\d+,\d+$/.test(plain) ? plain.replace(',', '.') : plain;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(normalized)) return null;
  const n = Number(normalized);
  return Number.isFinite(n) ? n : null;
}

/**
 * `2024-2-5` and `2024/02/05` become `2024-02-05`; `2024-2` becomes `2024-02`. Anything else is
 * returned as typed (validation then marks it).
 */
export function normalizeDate(text: string): string {
  const m = /^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$/.exec(text);
  if (!m) return text;
  const [, year, month, day] = m;
  return [year, month?.padStart(2, '0'), day?.padStart(2, '0')].filter((p) => p !== undefined).join('-');
}

/** Matches a code to the column's list ignoring case, so `agree` becomes `AGREE`. */
export function canonicalCode(column: Column, text: string): string {
  const options = column.options ?? [];
  if (options.includes(text)) return text;
  const lower = text.toLowerCase();
  return options.find((o) => o.toLowerCase() === lower) ?? text;
}
