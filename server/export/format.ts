/** CSV and JSON rendering of exported rows (docs/export.md#over-the-api). */
import { stringify } from 'csv-stringify/sync';
import { anchorLabel } from '../../model/anchors';
import { type CellValue, type Column, EXPORT_META_COLUMNS } from '../../model/columns';
import { isPlace, placeColumnIds, placeFields } from '../../model/places';
import type { ExportRow } from '../storage';

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

/** A row keyed by the header's ids, values with their own JSON types. */
export function exportRecord(columns: readonly Column[], row: ExportRow): Record<string, CellValue> {
  const record: Record<string, CellValue> = { row_id: row.rowId };
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
 * Fields quoted beyond RFC 4180's rule: a leading or trailing space (which some readers trim) and a byte-order
 * mark anywhere (which some readers drop). Exports always quoted them, so the bytes stay as they were.
 */
const ALSO_QUOTED = /^ | $|\uFEFF/;

/**
 * CSV lines, each ended by CRLF (RFC 4180: fields with comma, quote, CR or LF quoted, quotes doubled), written by
 * csv-stringify, of the csv project whose csv-parse reads imports.
 */
export function csvLines(records: string[][]): string {
  return stringify(records, { record_delimiter: '\r\n', quote_record_delimiter: true, quoted_match: ALSO_QUOTED });
}
