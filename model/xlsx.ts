/** What the browser's import preview and the server's XLSX reader share: a workbook's part paths and cell references. */

/** Where a relationship target points inside the zip, relative to the part whose relationships name it. */
export function resolvePartPath(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const piece of target.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '.') parts.push(piece);
  }
  return parts.join('/');
}

/** Column index (0-based) of a cell reference such as `AB12`. */
export function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const code = ch.charCodeAt(0);
    if (code < 65 || code > 90) break;
    n = n * 26 + (code - 64);
  }
  return n - 1;
}

/** Number formats built into Excel that show dates or times. */
export const BUILTIN_DATE_FORMATS: ReadonlySet<number> = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);

/** A custom format code shows a date when it has day, month or year parts outside quotes, brackets and escapes. */
export function isDateFormat(code: string): boolean {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '');
  return /[dmyDMY]/.test(bare) && !/^[#0.,%E+\- ]*$/.test(bare);
}

/** Which cell style indexes (a cell's `s`) format numbers as dates, from the styles part's custom formats and its cellXfs' numFmtIds. */
export function dateStyleIndexes(customFormats: ReadonlyMap<number, string>, xfFormatIds: readonly number[]): Set<number> {
  const dates = new Set<number>();
  xfFormatIds.forEach((id, index) => {
    const code = customFormats.get(id);
    if (code !== undefined ? isDateFormat(code) : BUILTIN_DATE_FORMATS.has(id)) dates.add(index);
  });
  return dates;
}

/** An Excel date serial as a calendar day: 1900-based serials count from 1899-12-30 (right from 1900-03-01 on, past Excel's phantom 1900-02-29). */
export function serialDay(serial: number, date1904: boolean): string {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.floor(serial) * 86_400_000).toISOString().slice(0, 10);
}
