/**
 * Reads one cell of an imported file as its column's value, by the column's type and the rules the
 * grid uses for typed text (`model/cell-text.ts`). A value that cannot be stored as the column's type
 * (a number column's "abc", a date that is none, an anchor that does not hold) is refused with a
 * reason; what is storable but marked by the grid (a code not in the list, a bad link) is read as it is
 * and reported as a warning later. Text is kept exactly as in the file, apart from the `'` that a
 * formula-safe export adds.
 */
import { codePointSlice, type IndexedText } from '../../model/anchors';
import { canonicalCode, normalizeDate, parseBoolean, parseNumber } from '../../model/cell-text';
import { type Anchor, type CellValue, type Column, isPartialDate } from '../../model/columns';
import type { ImportRejected } from '../../model/http';
import { withoutFormulaPrefix } from '../export/format';
import type { DateSerial, RawCell } from './raw';

export type ReadResult = { value: CellValue } | { code: RejectCode; message: string };

export type RejectCode = ImportRejected['code'];

export interface ReadContext {
  /** A source's text indexed by code point, or undefined when the dataset has no such source. */
  sourceText(sourceId: string): IndexedText | undefined;
}

const DAY_MS = 86_400_000;

/** An Excel date serial as a calendar day: 1900-based serials count from 1899-12-30 (right from 1900-03-01 on, past Excel's phantom 1900-02-29). */
export function serialToDate({ serial, date1904 }: DateSerial): string {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.floor(serial) * DAY_MS).toISOString().slice(0, 10);
}

const isSerial = (raw: RawCell): raw is DateSerial => typeof raw === 'object' && raw !== null;

/** The cell as text: strings without the export's formula prefix, numbers and booleans as written, dates as days. */
function asText(raw: Exclude<RawCell, null>): string {
  if (typeof raw === 'string') return withoutFormulaPrefix(raw);
  if (isSerial(raw)) return serialToDate(raw);
  return String(raw);
}

const refuse = (code: RejectCode, message: string): ReadResult => ({ code, message });

export function readValue(column: Column, raw: RawCell, ctx: ReadContext): ReadResult {
  if (raw === null || raw === '') return { value: null };
  const name = column.name;
  switch (column.type) {
    case 'text':
    case 'longtext':
      return { value: asText(raw) };
    case 'url':
    case 'ref':
    case 'enum': {
      const text = asText(raw).trim();
      return { value: text === '' ? null : column.type === 'enum' ? canonicalCode(column, text) : text };
    }
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : isSerial(raw) ? raw.serial : typeof raw === 'string' ? parseNumber(asText(raw)) : null;
      if (n === null) return refuse('type', `${name} should be a number, not "${asText(raw)}"`);
      if (column.type === 'integer' && !Number.isInteger(n)) return refuse('type', `${name} should be a whole number, not "${asText(raw)}"`);
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const b = typeof raw === 'number' ? (raw === 1 ? true : raw === 0 ? false : null) : parseBoolean(asText(raw));
      return b === null ? refuse('type', `${name} should be yes or no (true/false, 1/0), not "${asText(raw)}"`) : { value: b };
    }
    case 'date':
      return readDate(column, raw);
    case 'multi': {
      const codes = asText(raw).split(';').map((c) => canonicalCode(column, c.trim())).filter((c) => c !== '');
      return { value: codes.length === 0 ? null : [...new Set(codes)] };
    }
    case 'evidence':
      return readEvidence(column, asText(raw), ctx);
  }
}

function readDate(column: Column, raw: Exclude<RawCell, null>): ReadResult {
  if (isSerial(raw)) return { value: serialToDate(raw) };
  if (typeof raw === 'number') {
    // A year typed into a spreadsheet is a number; anything larger is a day serial without a date format.
    if (Number.isInteger(raw) && raw >= 1000 && raw <= 9999) return { value: String(raw) };
    if (raw > 0 && raw < 2_958_466) return { value: serialToDate({ serial: raw, date1904: false }) };
  }
  const text = asText(raw).trim();
  // A date with a time of day (as some spreadsheets write dates) keeps its day.
  const day = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}/.exec(text)?.[1];
  const value = day ?? normalizeDate(text);
  if (!isPartialDate(value)) return refuse('date', `${column.name}: "${text}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`);
  return { value };
}

const ANCHOR_ITEM = /^(.+):(\d+)-(\d+)$/;

/** `sourceId:start-end` items joined with `;`, each rebuilt as an anchor with its `exact` text from the source. */
function readEvidence(column: Column, text: string, ctx: ReadContext): ReadResult {
  const anchors: Anchor[] = [];
  for (const item of text.split(';').map((i) => i.trim()).filter((i) => i !== '')) {
    const m = ANCHOR_ITEM.exec(item);
    if (!m) return refuse('evidence', `${column.name}: "${item}" is not a passage (write sourceId:start-end)`);
    const [, source, startText, endText] = m as unknown as [string, string, string, string];
    const sourceText = ctx.sourceText(source);
    if (!sourceText) return refuse('evidence', `${column.name}: no source "${source}" in this dataset`);
    const start = Number(startText);
    const end = Number(endText);
    const exact = codePointSlice(sourceText, start, end);
    if (exact === null) return refuse('evidence', `${column.name}: ${item} is outside source "${source}" (${sourceText.length} code points)`);
    anchors.push({ source, start, end, exact });
  }
  return { value: anchors.length === 0 ? null : anchors };
}
