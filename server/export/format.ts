/** CSV and JSON rendering of exported rows (docs/export.md#over-the-api). */
import { anchorLabel } from '../../model/anchors';
import { type CellValue, type Column, EXPORT_META_COLUMNS } from '../../model/columns';
import { isPlace, placeColumnIds, placeFields } from '../../model/places';
import type { ExportRow } from '../storage';

/** Where each of the export's meta columns comes from in an exported row (as `exportRecord` writes them). */
const META_VALUES: Record<(typeof EXPORT_META_COLUMNS)[number], (row: ExportRow) => CellValue> = {
  review_status: (row) => row.reviewStatus,
  open_flags: (row) => row.openFlags,
  created_by: (row) => row.createdBy,
  created_at: (row) => row.createdAt,
  updated_by: (row) => row.updatedBy,
  updated_at: (row) => row.updatedAt,
};

/** The export's column ids in order: row_id, the sheet's columns in display order, then the review and provenance columns. */
export function exportHeader(columns: readonly Column[]): string[] {
  return ['row_id', ...columns.map((c) => c.id), ...EXPORT_META_COLUMNS];
}

/**
 * The CSV export's column ids: as `exportHeader`, but a place column `C` is six, `C` (the name),
 * `C_country`, `C_lat`, `C_lon`, `C_precision` and `C_geonameid` (docs/places.md).
 */
export function csvHeader(columns: readonly Column[]): string[] {
  return ['row_id', ...columns.flatMap((c) => (c.type === 'place' ? placeColumnIds(c.id) : [c.id])), ...EXPORT_META_COLUMNS];
}

/**
 * A record keyed by `csvHeader`'s ids: each place split into its parts. A place cell that holds no
 * place (marked as a problem) is written in `C` as it is, its parts empty.
 */
export function csvRecord(columns: readonly Column[], record: Readonly<Record<string, CellValue>>): Readonly<Record<string, CellValue>> {
  // Most sheets have no place column: their records are written as they are.
  if (!columns.some((c) => c.type === 'place')) return record;
  const out: Record<string, CellValue> = { ...record };
  for (const column of columns) {
    if (column.type !== 'place') continue;
    const value = record[column.id] ?? null;
    const fields = isPlace(value) ? placeFields(value) : [value, null, null, null, null, null];
    placeColumnIds(column.id).forEach((id, i) => { out[id] = fields[i] ?? null; });
  }
  return out;
}

/** Per sheet's columns: a record with every id of `exportHeader`, in its order, each null. */
const emptyRecords = new WeakMap<readonly Column[], Readonly<Record<string, CellValue>>>();

/**
 * A row keyed by the header's ids, values with their own JSON types. Each starts as a copy of the sheet's empty
 * record, so that its ids are in place before its values are set: a record given its ids one by one, by name,
 * is kept by V8 as a dictionary past a dozen of them, and JSON.stringify took twice as long on it.
 */
export function exportRecord(columns: readonly Column[], row: ExportRow): Record<string, CellValue> {
  let empty = emptyRecords.get(columns);
  if (!empty) emptyRecords.set(columns, empty = Object.fromEntries(exportHeader(columns).map((id) => [id, null])));
  const record: Record<string, CellValue> = { ...empty };
  record.row_id = row.rowId;
  for (const column of columns) record[column.id] = row.cells[column.id] ?? null;
  record.review_status = row.reviewStatus;
  record.open_flags = row.openFlags;
  record.created_by = row.createdBy;
  record.created_at = row.createdAt;
  record.updated_by = row.updatedBy;
  record.updated_at = row.updatedAt;
  return record;
}

/**
 * Writes an exported row as its CSV line, fields in `csvHeader`'s order: the line `csvLines` writes of
 * `csvField(csvRecord(columns, exportRecord(columns, row))[id] ?? null, excelSafe)` for each id of the header,
 * without the two records (each id's value is found once for the sheet, not looked up per row by name: a
 * million rows spent seconds building and reading the records).
 */
export function csvLineWriter(columns: readonly Column[], excelSafe: boolean): (row: ExportRow) => string {
  type Value = (row: ExportRow, places: readonly (readonly CellValue[])[]) => CellValue;
  // As the records are built: row_id, the cells, the meta columns, each written over any earlier value of its id...
  const values = new Map<string, Value>([['row_id', (row) => row.rowId]]);
  for (const column of columns) values.set(column.id, (row) => row.cells[column.id] ?? null);
  for (const id of EXPORT_META_COLUMNS) values.set(id, META_VALUES[id]);
  // ...then each place column's parts, from its value in the first record.
  const placeColumns = columns.filter((c) => c.type === 'place');
  const placeValues = placeColumns.map((c) => values.get(c.id)!);
  placeColumns.forEach((column, k) => placeColumnIds(column.id).forEach((id, i) => values.set(id, (_, places) => places[k]![i] ?? null)));
  const fields = csvHeader(columns).map((id) => values.get(id)!);
  return (row) => {
    const places = placeValues.map((value) => {
      const place = value(row, []);
      return isPlace(place) ? placeFields(place) : [place, null, null, null, null, null];
    });
    let line = '';
    for (let i = 0; i < fields.length; i++) line += (i === 0 ? '' : ',') + csvText(csvField(fields[i]!(row, places) ?? null, excelSafe));
    return `${line}\r\n`;
  };
}

/**
 * Text a spreadsheet may run as a formula: it starts with tab or CR, or its first visible character
 * (after whitespace and invisible format characters such as U+200B or U+FEFF) is = + - or @, ASCII or
 * fullwidth (＝ ＋ － ＠), since spreadsheets skip the one and fold the other.
 */
const FORMULA_START = /^(?:[\t\r]|[\s\p{Cf}]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;

/**
 * Whether a formula-safe export prefixes this text with `'`: text a spreadsheet would run as a formula,
 * and text that is such a formula already prefixed by hand (`'=x`), so that an import takes exactly one
 * `'` off whatever the export added (`'=x` is written `''=x`).
 */
export function needsFormulaPrefix(text: string): boolean {
  // Most cells start with a letter or a digit: no formula, and no need for the pattern (a million rows of
  // fourteen cells each spent seconds in it).
  const first = text.charCodeAt(0);
  if ((first >= 48 && first <= 57) || (first >= 65 && first <= 90) || (first >= 97 && first <= 122)) return false;
  return FORMULA_START.test(text.replace(/^'+/, ''));
}

/** One CSV field: multi and evidence joined with "; ", strings that a spreadsheet would run as a formula prefixed with '. */
export function csvField(value: CellValue, excelSafe: boolean): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // `multi` codes, or `evidence` anchors as `sourceId:start-end`; a place that `csvRecord` did not split, by its name.
  const text = Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : anchorLabel(v))).join('; ')
    : typeof value === 'object' ? value.name : value;
  return excelSafe && needsFormulaPrefix(text) ? `'${text}` : text;
}

/** Undoes what `csvField` added: a `'` before text that a formula-safe export prefixes. */
export function withoutFormulaPrefix(field: string): string {
  return field.startsWith("'") && needsFormulaPrefix(field.slice(1)) ? field.slice(1) : field;
}

/**
 * Fields quoted: with comma, quote, CR or LF (RFC 4180), and beyond its rule a leading or trailing space (which
 * some readers trim) and a byte-order mark anywhere (which some readers drop). Exports always quoted these, so
 * the bytes stay as they were.
 */
const QUOTED = /[",\r\n\uFEFF]|^ | $/;

/** One field as a CSV line holds it: quoted when `QUOTED` says, its quotes doubled. */
function csvText(field: string): string {
  return QUOTED.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * CSV lines, each ended by CRLF (RFC 4180: fields with comma, quote, CR or LF quoted, quotes doubled): the bytes
 * csv-stringify (of the csv project whose csv-parse reads imports) writes with `record_delimiter: '\r\n'`,
 * `quote_record_delimiter: true` and the edge spaces and byte-order marks as `quoted_match` (format.test.ts holds
 * the two to the same bytes). Written here because it is every export's hot path: csv-stringify's general options
 * cost 13 µs per row of 26 fields, this 2 µs.
 */
export function csvLines(records: readonly (readonly string[])[]): string {
  let text = '';
  for (const record of records) text += `${record.map(csvText).join(',')}\r\n`;
  return text;
}
