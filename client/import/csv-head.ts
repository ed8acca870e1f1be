/**
 * The header and first rows of a CSV file for the import dialog's preview, read by csv-parse as the server reads
 * the upload (server/import/read-csv.ts, with its options: a stray quote is text, records may be short or long).
 * The parser loads when a CSV is chosen, not with the sheet.
 */
export async function csvHead(file: Blob, bytes: number, rows: number): Promise<{ header: string[]; rows: string[][] }> {
  const [{ parse }, text] = await Promise.all([import('csv-parse/browser/esm/sync'), file.slice(0, bytes).text()]);
  const records: string[][] = parse(text.replace(/^\uFEFF/, ''), {
    to: rows + 1, skip_empty_lines: true, relax_column_count: true, relax_quotes: true,
    // The cut after `bytes` may end inside a record: that record is left out (the server reads the whole file).
    skip_records_with_error: true,
  });
  const [header = [], ...rest] = records;
  return { header, rows: rest };
}
