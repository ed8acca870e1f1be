/** What a file reader hands on: records of raw cells, before they are read as the columns' values. */

/** A number that the workbook formats as a date: its serial day number (Excel's, 1900 or 1904 based). */
export interface DateSerial {
  serial: number;
  date1904: boolean;
}

/** A cell as the file holds it: CSV cells are text, XLSX cells text, numbers, booleans or dates. */
export type RawCell = string | number | boolean | DateSerial | null;

export interface RawRecord {
  /** The record's row number in the file (the header is 1), as a spreadsheet shows it. */
  line: number;
  cells: RawCell[];
}
