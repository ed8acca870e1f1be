/**
 * The codebook of a dataset: every sheet and column with its id, name, type, whether it is required,
 * its description, and for code lists each code with its label and how many rows hold it. Built from
 * rows as the export gives them, so the live dataset and a release's frozen rows are described alike.
 */
import type { CellValue, Column, ColumnType } from '../../model/columns';
import { isEmpty } from '../../model/columns';
import { isPlace, PLACE_PARTS, PLACE_PRECISIONS, PRECISION_LABELS } from '../../model/places';

export interface CodebookCode {
  code: string;
  label: string | null;
  /** Rows holding the code (a `multi` cell counts once for each code it holds). */
  count: number;
}

export interface CodebookColumn {
  id: string;
  name: string;
  type: ColumnType;
  required: boolean;
  description: string | null;
  /** For `ref` columns: the sheet whose row ids the column holds. */
  ref: string | null;
  /** For a text column that names an actor list: the list's sheet. */
  actors?: string;
  /** Rows with a value in this column. */
  filled: number;
  /** The column's codes in list order (`enum` and `multi`), or a place column's precision codes 1–4. */
  codes: CodebookCode[];
  /** Values found in rows that are not in the code list, most frequent first. */
  unlisted: Array<{ code: string; count: number }>;
}

export interface CodebookSheet {
  id: string;
  name: string;
  rows: number;
  columns: CodebookColumn[];
}

export interface Codebook {
  dataset: { id: string; name: string };
  sheets: CodebookSheet[];
}

/** A sheet as the codebook describes it. */
export interface SheetHead {
  id: string;
  name: string;
  columns: readonly Column[];
}

const hasCodes = (type: ColumnType) => type === 'enum' || type === 'multi';
/** A place column's codes are its precisions, labelled with what each means. */
const PRECISION_CODES = PLACE_PRECISIONS.map(String);

const count = (tally: Map<string, number>, code: string) => tally.set(code, (tally.get(code) ?? 0) + 1);

/** A sheet's codebook entry, counted a row at a time (a release's rows are never all in memory). */
export class SheetTally {
  private rows = 0;
  /** Per column, in the head's order: its filled cells, and its codes' counts (columns with codes and places). */
  private readonly filled: number[];
  private readonly counts: Array<Map<string, number> | undefined>;

  constructor(private readonly head: SheetHead) {
    this.filled = head.columns.map(() => 0);
    this.counts = head.columns.map((c) => (hasCodes(c.type) || c.type === 'place' ? new Map() : undefined));
  }

  add(row: Readonly<Record<string, CellValue | undefined>>): void {
    this.rows++;
    const { columns } = this.head;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const value = row[column.id];
      if (isEmpty(value)) continue;
      this.filled[i]! += 1;
      const tally = this.counts[i];
      if (!tally) continue;
      // A code is counted once per row, even if a `multi` cell repeats it; a place by its precision.
      if (column.type === 'place') {
        if (isPlace(value)) count(tally, String(value.precision));
      } else if (!Array.isArray(value)) {
        count(tally, String(value));
      } else {
        for (const code of value.length === 1 ? value : new Set<unknown>(value)) if (typeof code === 'string') count(tally, code);
      }
    }
  }

  sheet(): CodebookSheet {
    const { id, name, columns } = this.head;
    return {
      id, name, rows: this.rows,
      columns: columns.map((column, i) => {
        const tally = this.counts[i] ?? new Map<string, number>();
        const listed = column.type === 'place' ? PRECISION_CODES : column.options ?? [];
        return {
          id: column.id, name: column.name, type: column.type, required: column.required === true,
          description: column.description ?? null, ref: column.type === 'ref' ? column.ref ?? null : null,
          ...(column.type === 'text' && column.actors !== undefined && { actors: column.actors }),
          filled: this.filled[i]!,
          codes: column.type === 'place'
            ? PLACE_PRECISIONS.map((p) => ({ code: String(p), label: PRECISION_LABELS[p], count: tally.get(String(p)) ?? 0 }))
            : hasCodes(column.type)
              ? listed.map((code) => ({ code, label: column.optionLabels?.[code] ?? null, count: tally.get(code) ?? 0 }))
              : [],
          unlisted: [...tally].filter(([code]) => !listed.includes(code))
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([code, count]) => ({ code, count })),
        };
      }),
    };
  }
}

/** How each column type is written in the CSV files, for the codebook's readers. */
const TYPE_NOTES: Record<ColumnType, string> = {
  text: 'text',
  longtext: 'text, may hold line breaks',
  number: 'number',
  integer: 'whole number',
  date: 'date: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when only that much is known',
  enum: 'one code from the list below',
  multi: 'codes from the list below, joined with `; `',
  boolean: '`true` or `false`',
  url: 'http(s) link',
  ref: 'a `row_id` of another sheet',
  evidence: 'passages of sources as `sourceId:start-end`, joined with `; `',
  place: `a place from the gazetteer: in CSV its name, then ${PLACE_PARTS.map((p) => `\`_${p}\``).join(', ')} columns; the precision codes are below`,
};

/** Text for one cell of a Markdown table: pipes escaped, line breaks as spaces. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r\n|\r|\n/g, ' ');
}

export interface MarkdownOptions {
  /** A heading line above everything, e.g. the release. */
  subtitle?: string;
  /** A release package's file of each sheet: the codebook then names it and says how to read the files. */
  dataFile?: (sheetId: string) => string;
}

/** The codebook as Markdown: a section per sheet, a table of its columns, and each code list with labels and counts. */
export function codebookMarkdown(book: Codebook, options: MarkdownOptions = {}): string {
  const lines: string[] = [`# Codebook: ${book.dataset.name}`, ''];
  if (options.subtitle) lines.push(options.subtitle, '');
  lines.push(`Dataset id \`${book.dataset.id}\`. ${book.sheets.length} sheet${book.sheets.length === 1 ? '' : 's'}.`, '');
  if (options.dataFile) lines.push(...READING_NOTES, '');
  for (const sheet of book.sheets) {
    lines.push(`## ${sheet.name} (\`${sheet.id}\`)`, '');
    lines.push(`${sheet.rows} row${sheet.rows === 1 ? '' : 's'}.${options.dataFile ? ` File \`${options.dataFile(sheet.id)}\`.` : ''}`, '');
    lines.push('| id | name | type | required | filled | description |', '| --- | --- | --- | --- | --- | --- |');
    for (const c of sheet.columns) {
      const type = c.type === 'ref' && c.ref ? `ref → ${c.ref}` : c.type;
      lines.push(`| \`${c.id}\` | ${cell(c.name)} | ${type} | ${c.required ? 'yes' : ''} | ${c.filled} | ${cell(c.description ?? '')} |`);
    }
    lines.push('');
    for (const c of sheet.columns) {
      lines.push(`### \`${c.id}\`: ${cell(c.name)}`, '');
      if (c.description) lines.push(c.description, '');
      lines.push(`Type: ${TYPE_NOTES[c.type]}${c.type === 'ref' && c.ref ? ` (sheet \`${c.ref}\`)` : ''}.${c.required ? ' Required.' : ''} Filled in ${c.filled} of ${sheet.rows} rows.`, '');
      if (c.actors) lines.push(`Names actors of the actor list in sheet \`${c.actors}\` by their \`name\`; several actors are joined with \`; \`.`, '');
      if (c.type !== 'enum' && c.type !== 'multi' && c.type !== 'place') continue;
      if (c.codes.length === 0) lines.push('No codes listed.', '');
      else {
        if (c.type === 'place') lines.push(`Precision (\`${c.id}_precision\`): how precisely the source places it.`, '');
        lines.push('| code | label | rows |', '| --- | --- | --- |');
        for (const code of c.codes) lines.push(`| \`${cell(code.code)}\` | ${cell(code.label ?? '')} | ${code.count} |`);
        lines.push('');
      }
      if (c.unlisted.length > 0) {
        lines.push(`Values not in the code list: ${c.unlisted.map((u) => `\`${cell(u.code)}\` (${u.count})`).join(', ')}.`, '');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** How to read the package's CSV files, and why their types are what they are. */
const READING_NOTES = [
  '## Reading the files',
  '',
  '- Each sheet is `data/SHEET.csv`: UTF-8, comma-separated, CRLF line ends, a header row of column ids. Text is',
  '  exactly as typed (nothing is prefixed for spreadsheets). An empty field is an empty value.',
  '- Every sheet starts with `row_id` (stable: never changed or reused) and ends with `review_status`,',
  '  `open_flags`, `created_by`, `created_at`, `updated_by`, `updated_at` (users by name, times ISO 8601 UTC with',
  '  milliseconds, `2024-02-22T09:30:00.123Z`: in `datapackage.json` a `datetime` of format `%Y-%m-%dT%H:%M:%S.%f%z`).',
  '- **Codes are text**: read CAMEO `036` as the string `"036"`, not the number 36. `datapackage.json` types code',
  '  columns as `string` with their codes as an `enum` constraint.',
  '- **Dates** may be partial: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when the source gives no day or month. Table',
  '  Schema has no type for such a mix (`date` needs a day, `yearmonth` and `year` a fixed precision; R\'s',
  '  `frictionless::read_package` turns a partial date in a `date` column into `NA`, and Python\'s `frictionless`',
  '  reports it as an error), so date columns are typed `string` with the pattern',
  '  `^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`. Sort them as text; the precision is the length (4, 7 or 10).',
  '- **Several codes** (`multi` columns) are one string of codes joined with `; ` (semicolon, space): split on `; `.',
  '- **Evidence** columns hold passages of the sources as `sourceId:start-end`, joined with `; `: Unicode code',
  '  points `start` to `end` (end exclusive) of that source\'s text. `data/evidence.csv` lists every passage with',
  '  its `exact` text, one per line (`sheet`, `row_id`, `source_id`, `start`, `end`, `exact`), and',
  '  `data/sources.csv` holds the sources with their full texts and sha256.',
  '- **`ref` columns** hold a `row_id` of another sheet (a foreign key in `datapackage.json`).',
  '- **Places** (`place` columns) take six columns: `C` the name, `C_country` (ISO 3166-1 alpha-3), `C_lat` and',
  '  `C_lon` (decimal degrees, WGS 84), `C_precision` (1 the town or city named, 2 near a named place or within its',
  '  district, 3 only a region or province, 4 only the country) and `C_geonameid` (the GeoNames id it was picked',
  '  from). Places come from GeoNames (geonames.org, CC BY 4.0).',
];
