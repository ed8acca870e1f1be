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
import { isPlace, namedPlace, type Place, PLACE_KEYS, PLACE_PRECISIONS, type PlacePart } from '../../model/places';
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
    case 'place':
      return readPlace(column, raw);
  }
}

/** The cells of a place column's parts (`C_country`, `C_lat`, …) on one line; a part the file lacks is undefined. */
export type PlaceCells = Partial<Record<PlacePart, RawCell | undefined>>;

/**
 * A place: from its name and its parts' cells, as the CSV export writes it (docs/places.md), or from
 * one cell that holds a place as JSON (the JSON export's form) or only a name. A name alone is a place
 * of precision 1 without coordinates, which the grid marks until someone picks it from the gazetteer.
 */
export function readPlace(column: Column, raw: RawCell, parts?: PlaceCells): ReadResult {
  const text = raw === null || raw === '' ? '' : asText(raw).trim();
  const given = Object.values(parts ?? {}).filter((v) => v !== null && v !== undefined && v !== '');
  if (given.length === 0) {
    if (text === '') return { value: null };
    return text.startsWith('{') ? readPlaceJson(column, text) : { value: namedPlace(text) };
  }
  if (text === '') return refuse('place', `${column.id}: the place has no name (its ${column.id} cell is empty)`);
  const place: Place = namedPlace(text);
  const cell = (part: PlacePart) => {
    const v = parts![part];
    return v === null || v === undefined || v === '' ? null : asText(v).trim();
  };
  const number = (part: PlacePart): number | null | undefined => {
    const v = parts![part];
    if (typeof v === 'number') return v;
    const t = cell(part);
    return t === null ? null : parseNumber(t) ?? undefined;
  };
  place.country = cell('country')?.toUpperCase() || null;
  for (const part of ['lat', 'lon', 'precision', 'geonameid'] as const) {
    const n = number(part);
    if (n === undefined) return refuse('place', `${column.id}_${part}: "${cell(part)}" is not a number`);
    if (part === 'lat' || part === 'lon') place[part] = n;
    else if (part === 'geonameid') {
      if (n !== null && !Number.isSafeInteger(n)) return refuse('place', `${column.id}_geonameid: "${cell(part)}" is not a GeoNames id`);
      place.geonameid = n;
    } else if (n !== null) {
      if (!(PLACE_PRECISIONS as readonly number[]).includes(n)) return refuse('place', `${column.id}_precision: "${cell(part)}" is not 1, 2, 3 or 4`);
      place.precision = n as Place['precision'];
    }
  }
  return { value: place };
}

/** A place written as JSON, its missing fields empty (precision 1). */
function readPlaceJson(column: Column, text: string): ReadResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse('place', `${column.name}: "${text.slice(0, 80)}" is not a place (JSON that does not parse)`);
  }
  const notPlace = refuse('place', `${column.name}: "${text.slice(0, 80)}" is not a place (name, country, lat, lon, precision 1–4, geonameid)`);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return notPlace;
  if (Object.keys(parsed).some((k) => !(PLACE_KEYS as readonly string[]).includes(k))) return notPlace;
  const value: unknown = { ...namedPlace(''), ...parsed };
  return isPlace(value) && value.name.trim() !== '' ? { value } : notPlace;
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
