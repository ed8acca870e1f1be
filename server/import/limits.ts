/** Bounds of one import (docs/import.md#writing): what a file may hold before it is refused whole. */

/** Largest import body (CSV, or an XLSX as sent, compressed). */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
/** Records (data rows) in one file. */
export const MAX_IMPORT_ROWS = 250_000;
/** Columns in one file's header. */
export const MAX_IMPORT_COLUMNS = 500;
/** Records times columns: what the parsed file may hold in memory at once. */
export const MAX_IMPORT_CELLS = 5_000_000;
/**
 * A CSV into a dataset in the `rows` layout is read a slice at a time (its records wait on disk), so it may
 * be as large as the largest sheets teams code: these replace the three limits above for it.
 */
export const MAX_ROWS_LAYOUT_IMPORT_BYTES = 1024 * 1024 * 1024;
export const MAX_ROWS_LAYOUT_IMPORT_ROWS = 2_500_000;
export const MAX_ROWS_LAYOUT_IMPORT_CELLS = 100_000_000;
/** One record of a CSV file, in characters. */
export const MAX_RECORD_CHARS = 4 * 1024 * 1024;
/** Rejected records and warnings listed in an answer; the counts go on past it. */
export const MAX_LISTED = 1000;

/** XLSX: the parts read from the workbook may inflate to at most this much, together. */
export const MAX_XLSX_INFLATED_BYTES = 512 * 1024 * 1024;
/** XLSX: an entry that inflates to more than this many times its compressed size (past 1 MiB) is a zip bomb. */
export const MAX_XLSX_RATIO = 200;
/** XLSX: entries in the zip's directory. */
export const MAX_XLSX_ENTRIES = 10_000;
