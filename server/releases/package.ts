/**
 * A release's Frictionless Data Package, as one zip: `datapackage.json`, a CSV per sheet at
 * `data/SHEETID.csv`, `data/sources.csv`, `data/evidence.csv`, `codebook.md` and `CHANGELOG.md`.
 * The zip is a pure function of its inputs (fixed entry times, fixed order, fixed compression), and
 * its bytes are stored: a release never changes, whatever is edited later.
 */
import { Zip, type ZipInputFile } from 'fflate';
import { anchorsOf } from '../../model/anchors';
import type { CellValue, Column } from '../../model/columns';
import { codebookMarkdown, SheetTally } from '../codebook/codebook';
import { csvField, csvHeader, csvLines, csvLineWriter } from '../export/format';
import { PLACE_PARTS, placeColumnIds, PRECISION_LABELS } from '../../model/places';
import { EVIDENCE_FIELDS, SOURCE_FIELDS } from '../sources/export';
import type { ExportRow, ReleaseRecord, SourceRecord } from '../storage';
import { changelogMarkdown, type SincePrevious } from './changelog';
import { Compressed, type CompressedFile } from './compressed';
import { type Snapshot, type SnapshotHead, type SnapshotRecord, type SnapshotRow, type SnapshotSheetHead, wholeSnapshot } from './snapshot';

/** Every entry's time: the DOS epoch, so the same release always zips to the same bytes. */
const ENTRY_TIME = new Date(1980, 0, 1, 0, 0, 0);

/** Partial dates: `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (codebook.md says why they are strings). */
export const PARTIAL_DATE_PATTERN = '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$';
/**
 * How `created_at` and `updated_at` are written: ISO 8601 in UTC with milliseconds (`Date.toISOString`),
 * as a Table Schema datetime pattern. The `default` format has no fraction of a second, so a reader that
 * casts would refuse every time rather than lose its milliseconds; `%z` takes the `Z` (Python's strptime
 * since 3.7, Frictionless JS) and keeps the time in UTC.
 */
export const DATETIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f%z';
/** How `multi` codes are joined in a CSV cell. */
export const MULTI_SEPARATOR = '; ';

export interface TableField {
  name: string;
  title?: string;
  description?: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'datetime';
  format?: string;
  constraints?: { required?: boolean; unique?: boolean; enum?: string[]; pattern?: string; minimum?: number; maximum?: number };
}

export interface TableResource {
  profile: 'tabular-data-resource';
  name: string;
  title?: string;
  path: string;
  format: 'csv';
  mediatype: 'text/csv';
  encoding: 'utf-8';
  schema: {
    fields: TableField[];
    missingValues: string[];
    primaryKey?: string[];
    foreignKeys?: Array<{ fields: string[]; reference: { resource: string; fields: string[] } }>;
  };
}

export interface DataPackage {
  profile: 'tabular-data-package';
  name: string;
  title: string;
  version: string;
  created: string;
  description?: string;
  resources: TableResource[];
}

/** The Table Schema field of a sheet's column. */
export function columnField(column: Column): TableField {
  const field: TableField = { name: column.id, title: column.name, type: 'string' };
  const notes = [column.description ?? ''];
  const constraints: NonNullable<TableField['constraints']> = {};
  if (column.required) constraints.required = true;
  switch (column.type) {
    case 'number': field.type = 'number'; break;
    case 'integer': field.type = 'integer'; break;
    case 'boolean': field.type = 'boolean'; break;
    case 'date':
      constraints.pattern = PARTIAL_DATE_PATTERN;
      notes.push('A date: YYYY-MM-DD, or YYYY-MM / YYYY when only that much is known.');
      break;
    case 'enum':
      if (column.options?.length) constraints.enum = [...column.options];
      break;
    case 'multi':
      notes.push(`Codes joined with "${MULTI_SEPARATOR}".`);
      break;
    case 'evidence':
      notes.push(`Passages of sources as sourceId:start-end (code points, end exclusive), joined with "${MULTI_SEPARATOR}"; see evidence.csv.`);
      break;
    case 'ref':
      if (column.ref) notes.push(`A row_id of the sheet ${column.ref}.`);
      break;
    case 'place':
      notes.push(`The place's name; ${PLACE_PARTS.map((p) => `${column.id}_${p}`).join(', ')} follow with the rest of it.`);
      break;
  }
  const description = notes.filter(Boolean).join(' ');
  if (description) field.description = description;
  if (Object.keys(constraints).length > 0) field.constraints = constraints;
  return field;
}

/** The fields a place column adds after its name (docs/places.md): country, coordinates, precision, GeoNames id. */
function placePartFields(column: Column): TableField[] {
  const [, country, lat, lon, precision, geonameid] = placeColumnIds(column.id) as [string, string, string, string, string, string];
  const of = `of ${column.id}`;
  return [
    { name: country, title: `${column.name}: country`, type: 'string', description: `ISO 3166-1 alpha-3 code of the country ${of}.` },
    { name: lat, title: `${column.name}: latitude`, type: 'number', description: `Latitude ${of} in decimal degrees (WGS 84), −90 to 90.` },
    { name: lon, title: `${column.name}: longitude`, type: 'number', description: `Longitude ${of} in decimal degrees (WGS 84), −180 to 180.` },
    {
      name: precision, title: `${column.name}: precision`, type: 'integer', constraints: { minimum: 1, maximum: 4 },
      description: `How precisely the source places it: ${Object.entries(PRECISION_LABELS).map(([code, label]) => `${code} ${label}`).join('; ')}.`,
    },
    { name: geonameid, title: `${column.name}: GeoNames id`, type: 'integer', description: `The GeoNames id ${of}, when it was picked from the gazetteer.` },
  ];
}

/** The Table Schema fields of a sheet's column: one, or a place column's six. */
function columnFields(column: Column): TableField[] {
  return column.type === 'place' ? [columnField(column), ...placePartFields(column)] : [columnField(column)];
}

/** The export's own columns after a sheet's: review state and provenance. */
const META_FIELDS: TableField[] = [
  { name: 'review_status', type: 'string', constraints: { required: true, enum: ['unreviewed', 'approved', 'flagged'] } },
  { name: 'open_flags', type: 'integer', constraints: { required: true } },
  { name: 'created_by', type: 'string' },
  { name: 'created_at', type: 'datetime', format: DATETIME_FORMAT },
  { name: 'updated_by', type: 'string' },
  { name: 'updated_at', type: 'datetime', format: DATETIME_FORMAT },
];

const SOURCE_TYPES: Record<(typeof SOURCE_FIELDS)[number], TableField> = {
  id: { name: 'id', type: 'string', constraints: { required: true, unique: true } },
  title: { name: 'title', type: 'string' },
  url: { name: 'url', type: 'string' },
  outlet: { name: 'outlet', type: 'string' },
  published_at: { name: 'published_at', type: 'string' },
  sha256: { name: 'sha256', type: 'string', description: 'sha256 of the UTF-8 text, hex.' },
  text: { name: 'text', type: 'string' },
};

const EVIDENCE_TYPES: Record<(typeof EVIDENCE_FIELDS)[number], TableField> = {
  sheet: { name: 'sheet', type: 'string', constraints: { required: true } },
  row_id: { name: 'row_id', type: 'string', constraints: { required: true } },
  source_id: { name: 'source_id', type: 'string', constraints: { required: true } },
  start: { name: 'start', type: 'integer', description: 'First code point of the passage.' },
  end: { name: 'end', type: 'integer', description: 'Code point after the passage (end exclusive).' },
  exact: { name: 'exact', type: 'string', description: 'The text of the passage.' },
};

/** The file of a sheet: `data/SHEETID.csv`, unless the sheet's id takes the name of the sources or evidence file. */
function sheetResourceName(sheetId: string): string {
  return sheetId === 'sources' || sheetId === 'evidence' ? `sheet_${sheetId}` : sheetId;
}

function sheetResource(sheet: SnapshotSheetHead, sheetIds: ReadonlySet<string>): TableResource {
  const name = sheetResourceName(sheet.id);
  const foreignKeys = sheet.columns.filter((c) => c.type === 'ref' && c.ref !== undefined && sheetIds.has(c.ref))
    .map((c) => ({ fields: [c.id], reference: { resource: sheetResourceName(c.ref!), fields: ['row_id'] } }));
  return {
    profile: 'tabular-data-resource', name, title: sheet.name, path: `data/${name}.csv`, format: 'csv', mediatype: 'text/csv', encoding: 'utf-8',
    schema: {
      fields: [{ name: 'row_id', type: 'string', constraints: { required: true, unique: true } }, ...sheet.columns.flatMap(columnFields), ...META_FIELDS],
      missingValues: [''],
      primaryKey: ['row_id'],
      ...(foreignKeys.length > 0 && { foreignKeys }),
    },
  };
}

function plainResource(name: string, fields: TableField[], extra: Partial<TableResource['schema']>): TableResource {
  return {
    profile: 'tabular-data-resource', name, path: `data/${name}.csv`, format: 'csv', mediatype: 'text/csv', encoding: 'utf-8',
    schema: { fields, missingValues: [''], ...extra },
  };
}

export function dataPackage(release: ReleaseRecord, snapshot: SnapshotHead): DataPackage {
  const sheetIds = new Set(snapshot.sheets.map((s) => s.id));
  return {
    profile: 'tabular-data-package',
    name: snapshot.dataset.id,
    title: snapshot.dataset.name,
    version: release.version,
    created: release.createdAt,
    ...(release.notes.trim() && { description: release.notes.trim() }),
    resources: [
      ...snapshot.sheets.map((sheet) => sheetResource(sheet, sheetIds)),
      plainResource('sources', SOURCE_FIELDS.map((f) => SOURCE_TYPES[f]), { primaryKey: ['id'] }),
      plainResource('evidence', EVIDENCE_FIELDS.map((f) => EVIDENCE_TYPES[f]), {
        foreignKeys: [{ fields: ['source_id'], reference: { resource: 'sources', fields: ['id'] } }],
      }),
    ],
  };
}

/** A row's evidence passages, as `data/evidence.csv` lists them; `evidence`: the sheet's evidence columns. */
function* evidenceOf(sheet: SnapshotSheetHead, evidence: readonly Column[], row: ExportRow): Generator<Record<string, CellValue>> {
  for (const column of evidence) {
    for (const a of anchorsOf(row.cells[column.id])) {
      yield { sheet: sheet.id, row_id: row.rowId ?? null, source_id: a.source, start: a.start, end: a.end, exact: a.exact };
    }
  }
}

/** A snapshot's record as the exported row it was made of (`exportRecord` undone): its cells are the record itself. */
function exportRowOf(record: SnapshotRecord): ExportRow {
  return {
    rowId: record.row_id as string,
    cells: record,
    reviewStatus: record.review_status as string,
    openFlags: record.open_flags as number,
    createdBy: record.created_by as string | null,
    createdAt: record.created_at as string,
    updatedBy: record.updated_by as string | null,
    updatedAt: record.updated_at as string,
  };
}

export interface PackageInput {
  release: ReleaseRecord;
  snapshot: Snapshot;
  sources: ReadonlyArray<SourceRecord & { text: string }>;
  previous?: SincePrevious;
}

/**
 * A CSV file of the package (with excel_safe=0, as docs/export.md#over-the-api says: every text exactly
 * as typed), compressed as its lines come.
 */
class CsvEntry {
  private readonly file = Compressed.deflate();

  constructor(private readonly header: readonly string[]) {
    void this.file.write(csvLines([[...header]]));
  }

  /** A record keyed by the header's ids. */
  add(record: Readonly<Record<string, CellValue | undefined>>): Promise<void> {
    return this.file.write(csvLines([this.header.map((id) => csvField(record[id] ?? null, false))]));
  }

  /** A line written already (as `csvLineWriter` writes a row). */
  addLine(line: string): Promise<void> {
    return this.file.write(line);
  }

  end(): Promise<CompressedFile> {
    return this.file.end();
  }
}

/** A small file of the package, rendered whole. */
async function textEntry(text: string): Promise<CompressedFile> {
  const file = Compressed.deflate();
  await file.write(text);
  return file.end();
}

/**
 * Writes the package a row at a time: each sheet's CSV and the evidence are compressed as the rows come,
 * the codebook counted; the small files are rendered at the end. Only compressed bytes are held.
 */
export class PackageWriter {
  private readonly sheets: CsvEntry[];
  /** Per sheet: a row's CSV line, and the sheet's evidence columns. */
  private readonly lines: Array<(row: ExportRow) => string>;
  private readonly evidenceColumns: Column[][];
  private readonly evidence = new CsvEntry(EVIDENCE_FIELDS);
  private readonly tallies: SheetTally[];

  constructor(private readonly head: SnapshotHead) {
    this.sheets = head.sheets.map((sheet) => new CsvEntry(csvHeader(sheet.columns)));
    this.lines = head.sheets.map((sheet) => csvLineWriter(sheet.columns, false));
    this.evidenceColumns = head.sheets.map((sheet) => sheet.columns.filter((c) => c.type === 'evidence'));
    this.tallies = head.sheets.map((sheet) => new SheetTally(sheet));
  }

  /** A row of a snapshot. */
  add([index, record]: SnapshotRow): Promise<void> {
    return this.addRow(index, exportRowOf(record));
  }

  /** A row of the sheet at `index` of the head, as the read model gives it. */
  async addRow(index: number, row: ExportRow): Promise<void> {
    this.tallies[index]!.add(row.cells);
    await this.sheets[index]!.addLine(this.lines[index]!(row));
    const evidence = this.evidenceColumns[index]!;
    if (evidence.length === 0) return;
    for (const passage of evidenceOf(this.head.sheets[index]!, evidence, row)) await this.evidence.add(passage);
  }

  /**
   * The zip: same rows, release and sources, same bytes. `release.rows` holds the rows of each sheet;
   * `previous`, what changed since the release before (for CHANGELOG.md).
   */
  async finish(release: ReleaseRecord, sources: PackageInput['sources'], previous?: SincePrevious): Promise<Uint8Array[]> {
    const { head } = this;
    const dataFile = (id: string) => `data/${sheetResourceName(id)}.csv`;
    const sourcesCsv = new CsvEntry(SOURCE_FIELDS);
    for (const s of sources) {
      await sourcesCsv.add({ id: s.id, title: s.title, url: s.url, outlet: s.outlet, published_at: s.publishedAt, sha256: s.sha256, text: s.text });
    }
    const book = { dataset: head.dataset, sheets: this.tallies.map((t) => t.sheet()) };
    const files: Array<[string, Promise<CompressedFile>]> = [
      ['datapackage.json', textEntry(`${JSON.stringify(dataPackage(release, head), null, 2)}\n`)],
      ...head.sheets.map((sheet, i): [string, Promise<CompressedFile>] => [dataFile(sheet.id), this.sheets[i]!.end()]),
      ['data/sources.csv', sourcesCsv.end()],
      ['data/evidence.csv', this.evidence.end()],
      ['codebook.md', textEntry(codebookMarkdown(book, { subtitle: `Release ${release.version}, ${release.createdAt}.`, dataFile }))],
      ['CHANGELOG.md', textEntry(changelogMarkdown(release, head, previous))],
    ];
    return zipOf(files);
  }
}

/** The archive around compressed entries, in the order given, in pieces; fflate writes the zip's own records. */
async function zipOf(files: Array<[string, Promise<CompressedFile>]>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, data) => {
    if (error) failure = error;
    else out.push(data);
  });
  for (const [path, made] of files) {
    const { chunks, size, crc } = await made;
    const file: ZipInputFile = { filename: path, size, crc, compression: 8, mtime: ENTRY_TIME };
    zip.add(file);
    if (chunks.length === 0) file.ondata!(null, new Uint8Array(0), true);
    chunks.forEach((chunk, i) => file.ondata!(null, chunk as Uint8Array<ArrayBuffer>, i === chunks.length - 1));
  }
  zip.end();
  if (failure) throw failure;
  return out;
}

/** The zip of a whole snapshot in memory (a small one: tests). */
export async function packageZip({ release, snapshot, sources, previous }: PackageInput): Promise<Buffer> {
  const opened = wholeSnapshot(snapshot);
  const writer = new PackageWriter(opened.head);
  for await (const row of opened.rows) await writer.add(row);
  return Buffer.concat(await writer.finish(release, sources, previous));
}
