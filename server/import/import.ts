/**
 * Importing a file's records into a sheet (docs/import.md). Four steps, each yielding to the event
 * loop between slices so that other people's edits are served meanwhile:
 *
 * 1. read: records are parsed as they arrive and read as their columns' values (`read-value.ts`);
 * 2. match: against the live document, each record becomes an insert, an update or nothing (unchanged),
 *    or is rejected (a bad value, a row id in use, a key that matches twice);
 * 3. report: the problems the grid would mark on the resulting rows are the warnings;
 * 4. write: unless it is a dry run, or records were rejected without `partial`, the rows go into the
 *    live document as the importer. A file of up to WRITE_SLICE records is one transaction; a larger one
 *    is written as consecutive transactions of WRITE_SLICE records with the same origin, each stored
 *    (with its history) before the next, so that memory stays bounded and sockets are served between them.
 *    Nothing is written before every record was read and matched: a rejected file writes nothing.
 */
import { channel } from 'node:diagnostics_channel';
import * as Y from 'yjs';
import { type ActorList, readActorList } from '../../model/actors';
import { indexText, type IndexedText } from '../../model/anchors';
import type { CellValue, Column } from '../../model/columns';
import { getSheet, getSheets, insertRow, readColumns, setCell, sheetRows, type YSheet } from '../../model/document';
import type { ImportRejected, ImportReport, ImportWarning } from '../../model/http';
import { newRowId, ROW_ID } from '../../model/ids';
import type { PlacePart } from '../../model/places';
import { AppError, badRequest, conflict, notFound } from '../errors';
import { rowProblems } from '../sources/problems';
import type { ReadModel, SourceStore } from '../storage';
import { actorLookup, readActorLists } from '../actors/lists';
import { inTurns } from '../http/turns';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { type DocCommit, type DocStore, emptyCommit, type InsertedRow } from '../sync/store';
import { type Codec, Spool } from './spool';
import type { DocRegistry } from '../sync/registry';
import type { RowFeed } from '../sync/row-feed';
import { type HeaderTarget, readHeader } from './header';
import {
  MAX_IMPORT_CELLS, MAX_IMPORT_ROWS, MAX_LISTED, MAX_ROWS_LAYOUT_IMPORT_CELLS, MAX_ROWS_LAYOUT_IMPORT_ROWS,
} from './limits';
import type { RawCell, RawRecord } from './raw';
import { readPlace, readValue } from './read-value';

/** Records handled per slice of the match and report steps before the event loop gets a turn. */
const MATCH_SLICE = 500;
/** Reading gives the event loop a turn after this much work (ms): records arrive faster than they are read. */
const READ_BUDGET_MS = 10;
/** Distinct short values shared per column, and what counts as short (characters). */
const SHARED_TEXTS = 10_000;
const SHARED_TEXT_CHARS = 64;
/** Records written per transaction. */
export const WRITE_SLICE = 250;

/** Published after each step (`{step}`): a profiler can measure memory there; nothing listens otherwise. */
export const importSteps = channel('tessera:import-step');
const stepDone = (step: 'read' | 'match' | 'warn' | 'write') => { if (importSteps.hasSubscribers) importSteps.publish({ step }); };

export interface ImportOptions {
  datasetId: string;
  sheetId: string;
  userId: string;
  /** `row_id` or a column id: records whose key matches an existing row update it. */
  key?: string | undefined;
  dryRun: boolean;
  partial: boolean;
  mapping?: readonly string[] | undefined;
}

export interface ImportServices {
  registry: DocRegistry;
  /** Tells open grids when new rows were written (the `rows` layout). */
  rowFeed?: Pick<RowFeed, 'sheetChanged'>;
  sources: SourceStore;
  /**
   * Set for a dataset in the `rows` layout (each row a document of its own): records are matched against the
   * read model, new rows are written to it directly (a row's document is made from its cells when it is first
   * opened), and updates go through the rows' own documents.
   */
  stored?: { docs: DocStore; readModel: ReadModel };
}

/** A record read from the file: its values in the order of `Plan.columns`. */
interface ReadRecord {
  line: number;
  rowId: string | null;
  values: CellValue[];
}

/** What a read record does to the sheet: a new row, an update of an existing one, or nothing. */
interface Planned {
  kind: 'insert' | 'update' | 'unchanged';
  line: number;
  rowId: string;
  values: CellValue[];
}

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/**
 * Resolves once a transaction written in this turn is stored and the sockets had a turn since. Storing
 * runs in an immediate queued by the transaction, so one `yieldTurn` would resume in that same check
 * phase, right after it: storing a slice and writing the next would be one long block. The second
 * resumes only after the event loop polled the sockets.
 */
const afterStored = async () => { await yieldTurn(); await yieldTurn(); };
/** A value as text for comparing: objects (anchors) with their keys sorted, whoever wrote them in which order. */
const canonical = (value: CellValue | undefined) => JSON.stringify(value ?? null, (_key, x: unknown) => (
  x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
const same = (a: CellValue | undefined, b: CellValue | undefined) => canonical(a) === canonical(b);
const isEmptyValue = (v: CellValue | undefined) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Collects rejected values and warnings, listing the first MAX_LISTED of each and counting all. */
class Findings {
  rejected: ImportRejected[] = [];
  warnings: ImportWarning[] = [];
  rejectedTotal = 0;
  warningsTotal = 0;
  /** Lines with at least one rejected value: those records are not imported. */
  rejectedLines = new Set<number>();

  reject(line: number, column: string | null, raw: RawCell | undefined, code: ImportRejected['code'], message: string): void {
    this.rejectedLines.add(line);
    this.rejectedTotal += 1;
    if (this.rejected.length < MAX_LISTED) this.rejected.push({ line, column, value: rawText(raw).slice(0, 1000), code, message });
  }

  warn(warning: ImportWarning): void {
    this.warningsTotal += 1;
    if (this.warnings.length < MAX_LISTED) this.warnings.push(warning);
  }
}

/**
 * One string for each short value that repeats in a column (country codes, actors, places): the parser
 * makes a new string per cell, and the document keeps whichever string it is given, so 100,000 rows
 * of `CHN` would otherwise be 100,000 strings. Bounded: past SHARED_TEXTS distinct values a column's
 * further values are kept as they are.
 */
class SharedTexts {
  private readonly texts = new Map<string, string>();

  get(text: string): string {
    if (text.length > SHARED_TEXT_CHARS) return text;
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    if (this.texts.size < SHARED_TEXTS) this.texts.set(text, text);
    return text;
  }
}

function rawText(raw: RawCell | undefined): string {
  if (raw === null || raw === undefined) return '';
  return typeof raw === 'object' ? String(raw.serial) : String(raw);
}

/** Imports `records` (the header first) into a sheet; answers the report and its status (200, or 422 when rejected records stopped it). */
export async function importRecords(services: ImportServices, options: ImportOptions, records: AsyncIterable<RawRecord>): Promise<{ status: 200 | 422; report: ImportReport }> {
  const { registry } = services;
  const { datasetId, sheetId } = options;
  const columns = await registry.with(datasetId, (shared) => shared.read((doc) => {
    const sheet = getSheet(doc, sheetId);
    if (!sheet) throw notFound(`Dataset "${datasetId}" has no sheet "${sheetId}"`);
    return readColumns(sheet);
  }));

  const iterator = records[Symbol.asyncIterator]();
  try {
    return await importFrom(services, options, columns, iterator);
  } finally {
    // Stops reading the file when the import ends early (a bad header, a rejected file).
    await iterator.return?.();
  }
}

async function importFrom(
  services: ImportServices, options: ImportOptions, columns: Column[], iterator: AsyncIterator<RawRecord>,
): Promise<{ status: 200 | 422; report: ImportReport }> {
  const { registry } = services;
  const { datasetId } = options;
  const first = await iterator.next();
  if (first.done) throw badRequest('The file is empty: it has no header row');
  const header = readHeader(first.value.cells, columns, options.mapping);
  const mapped = mappedColumns(header);
  const rowIdIndex = header.findIndex((t) => t.kind === 'row_id');
  const keyIndex = checkKey(options.key, mapped, rowIdIndex);

  const findings = new Findings();
  if (services.stored) return importStored(services, options, columns, header, mapped, rowIdIndex, keyIndex, iterator, findings);
  const read: ReadRecord[] = [];
  await readRecords(services, datasetId, iterator, header, mapped, rowIdIndex, findings, (record) => { read.push(record); });
  stepDone('read');
  const planned = await match(registry, options, mapped.map((m) => m.column), keyIndex, read, findings);
  stepDone('match');
  await warn(registry, options, columns, mapped.map((m) => m.column), planned, findings);
  stepDone('warn');

  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  for (const p of planned) counts[p.kind === 'insert' ? 'inserted' : p.kind === 'update' ? 'updated' : 'unchanged'] += 1;
  const report = reportOf(counts, findings, options);
  if (report.error) return { status: 422, report };
  if (options.dryRun) return { status: 200, report };
  await write(registry, options, mapped.map((m) => m.column), planned);
  stepDone('write');
  report.written = planned.some((p) => p.kind !== 'unchanged');
  return { status: 200, report };
}

/** The report of what an import found and would write; `error` set when rejected records stop it. */
function reportOf(counts: { inserted: number; updated: number; unchanged: number }, findings: Findings, options: ImportOptions): ImportReport {
  const stopped = findings.rejectedTotal > 0 && !options.partial;
  const records = `${findings.rejectedLines.size} record${findings.rejectedLines.size === 1 ? '' : 's'}`;
  const message = `${records} could not be imported, so nothing was written: fix them, or import with partial=1 to write the others`;
  const report: ImportReport = {
    ...counts,
    rejected: findings.rejected, warnings: findings.warnings,
    rejectedTotal: findings.rejectedTotal, warningsTotal: findings.warningsTotal,
    written: false,
    dryRun: options.dryRun === true,
    summary: stopped
      ? `${message}${options.dryRun ? ' (this was a check)' : ''}`
      : `${importSummary(counts, options.dryRun === true)}${findings.rejectedLines.size > 0 ? `; ${records} could not be imported and ${findings.rejectedLines.size === 1 ? 'was' : 'were'} left out` : ''}`,
    ...(stopped && { error: { code: 'unprocessable', message } }),
  };
  return report;
}

/** "Inserted 2 rows, updated 1 and left 0 unchanged", or for a check what it would have done and that nothing was written. */
function importSummary(counts: { inserted: number; updated: number; unchanged: number }, dryRun: boolean): string {
  const done = `${counts.inserted} row${counts.inserted === 1 ? '' : 's'}, updated ${counts.updated} and left ${counts.unchanged} unchanged`;
  return dryRun
    ? `Nothing was written (dry_run=1, a check): the import would have inserted ${done}`
    : `Inserted ${done}`;
}

/** A column the file fills: the index of its cell (-1 for a place named only by its parts), and a place's parts' indexes. */
interface Mapped {
  index: number;
  column: Column;
  parts?: Partial<Record<PlacePart, number>>;
}

/** The sheet's columns the file fills, in the order of the header; a place's parts go with their column. */
function mappedColumns(header: readonly HeaderTarget[]): Mapped[] {
  const mapped: Mapped[] = header.flatMap((t, i) => (t.kind === 'column' ? [{ index: i, column: t.column }] : []));
  header.forEach((t, i) => {
    if (t.kind !== 'place-part') return;
    let entry = mapped.find((m) => m.column.id === t.column.id);
    if (!entry) mapped.push(entry = { index: -1, column: t.column });
    (entry.parts ??= {})[t.part] = i;
  });
  return mapped;
}

/** The index in `mapped` of the key column (-1 for `row_id`), or undefined without a key. */
function checkKey(key: string | undefined, mapped: ReadonlyArray<{ column: Column }>, rowIdIndex: number): number | undefined {
  if (key === undefined) return undefined;
  if (key === 'row_id') {
    if (rowIdIndex < 0) throw badRequest('key=row_id needs a row_id column in the file');
    return -1;
  }
  const index = mapped.findIndex((m) => m.column.id === key);
  if (index < 0) throw badRequest(`key=${key}: the file has no column that goes to "${key}"`);
  return index;
}

/** Step 1: every record read as values; rejected values are recorded and their records left out. */
async function readRecords(
  services: ImportServices, datasetId: string, iterator: AsyncIterator<RawRecord>, header: readonly HeaderTarget[],
  mapped: readonly Mapped[], rowIdIndex: number, findings: Findings, emit: (record: ReadRecord) => void | Promise<void>,
): Promise<void> {
  const texts = new Map<string, IndexedText | null>();
  /** Sources a value named whose texts are not read yet: read (from the store), then the value is read again. */
  const unread = new Set<string>();
  const ctx = {
    sourceText(sourceId: string) {
      const text = texts.get(sourceId);
      if (text === undefined) unread.add(sourceId);
      return text ?? undefined;
    },
  };
  /**
   * A value read again once the sources it named are read: the only step that waits (rarely: a source's text is read
   * once). Reading may stop at the first source not read yet, so it goes again until every source it names is read.
   */
  const readWithTexts = async (column: Column, raw: RawCell | null) => {
    let result: ReturnType<typeof readValue>;
    do {
      for (const sourceId of unread) {
        const stored = await services.sources.text(datasetId, sourceId);
        texts.set(sourceId, stored === undefined ? null : indexText(stored));
      }
      unread.clear();
      result = readValue(column, raw, ctx);
    } while (unread.size > 0);
    return result;
  };
  // Values that wait on disk are strings of their own when read back anyway: only the document layout shares them.
  const shared = services.stored ? null : mapped.map(() => new SharedTexts());
  // Records wait on disk in the `rows` layout, in memory otherwise.
  const [maxRows, maxCells] = services.stored ? [MAX_ROWS_LAYOUT_IMPORT_ROWS, MAX_ROWS_LAYOUT_IMPORT_CELLS] : [MAX_IMPORT_ROWS, MAX_IMPORT_CELLS];
  let count = 0;
  let sliceStart = performance.now();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    const { line, cells } = next.value;
    count += 1;
    if (count > maxRows) throw new AppError('too_large', `The file has more than ${maxRows} records; import it in parts`);
    if (count * header.length > maxCells) throw new AppError('too_large', `The file has more than ${maxCells} cells; import it in parts`);
    for (let i = 0; i < cells.length; i++) {
      const target = header[i];
      const raw = cells[i];
      if ((target === undefined || target.kind === 'blank') && raw !== null && raw !== '' && raw !== undefined) {
        findings.reject(line, null, raw, 'header', target === undefined
          ? `A value past the file's last column (column ${i + 1})`
          : `A value under a column with no header (column ${i + 1}): name the column or map it`);
      }
    }
    let rowId: string | null = null;
    if (rowIdIndex >= 0) {
      const raw = cells[rowIdIndex];
      const text = rawText(raw).trim();
      if (text !== '') {
        if (ROW_ID.test(text)) rowId = text;
        else findings.reject(line, 'row_id', raw, 'row_id', `"${text.slice(0, 80)}" is not a row id (1–64 letters, digits, _ or -)`);
      }
    }
    const values: CellValue[] = [];
    for (let m = 0; m < mapped.length; m++) {
      const { index, column, parts } = mapped[m]!;
      const raw = index >= 0 ? cells[index] ?? null : null;
      let result = parts
        ? readPlace(column, raw, Object.fromEntries(Object.entries(parts).map(([part, i]) => [part, cells[i]])))
        : readValue(column, raw, ctx);
      if (unread.size > 0) result = await readWithTexts(column, raw);
      if ('value' in result) values.push(shared && typeof result.value === 'string' ? shared[m]!.get(result.value) : result.value);
      else {
        values.push(null);
        findings.reject(line, column.id, raw, result.code, result.message);
      }
    }
    if (!findings.rejectedLines.has(line)) {
      // Awaited only when it waits: a promise per record is a turn of the microtask queue per record.
      const emitted = emit({ line, rowId, values });
      if (emitted) await emitted;
    }
    if (performance.now() - sliceStart > READ_BUDGET_MS) {
      await yieldTurn();
      sliceStart = performance.now();
    }
  }
}

/** Where a record may land: the sheet of a row of the dataset, the rows of the sheet by key value, a row's cells. */
interface MatchLookup {
  /** The sheet that has the row, if any of the dataset does. */
  sheetOf(rowId: string): string | undefined;
  /** The sheet's rows whose key column holds the value (`canonical`). */
  keyed(key: string): readonly string[];
  /** A cell of a row of the sheet. */
  cell(rowId: string, columnId: string): CellValue | undefined;
}

/**
 * Step 2, for either layout: each read record against the sheet as a `MatchLookup` sees it becomes an insert,
 * an update or nothing (unchanged), or is rejected: a row id or key the file has twice, a key that matches
 * two rows, a row id of another row or sheet.
 */
class Matcher {
  private readonly seenRows = new Map<string, number>();
  private readonly seenKeys = new Map<string, number>();

  constructor(
    private readonly options: ImportOptions, private readonly columns: readonly Column[],
    private readonly keyIndex: number | undefined, private readonly findings: Findings,
  ) {}

  /** The record's key value (`canonical`), when it is matched by a column's value that it has. */
  keyOf(record: ReadRecord): string | null {
    if (this.keyIndex === undefined || this.keyIndex < 0) return null;
    const value = record.values[this.keyIndex];
    return isEmptyValue(value) ? null : canonical(value);
  }

  plan(record: ReadRecord, lookup: MatchLookup): Planned | null {
    const { sheetId, key } = this.options;
    const { line, values, rowId: fileRowId } = record;
    const { findings } = this;
    let target: string | null = null;
    if (this.keyIndex === -1) {
      if (fileRowId && lookup.sheetOf(fileRowId) === sheetId) target = fileRowId;
    } else {
      const k = this.keyOf(record);
      if (k !== null) {
        const value = values[this.keyIndex!];
        const earlier = this.seenKeys.get(k);
        if (earlier !== undefined) {
          findings.reject(line, key!, JSON.stringify(value), 'key', `${key} ${JSON.stringify(value)} is on line ${earlier} of the file too`);
          return null;
        }
        this.seenKeys.set(k, line);
        const ids = lookup.keyed(k);
        if (ids.length > 1) {
          findings.reject(line, key!, JSON.stringify(value), 'key', `${key} ${JSON.stringify(value)} matches ${ids.length} rows of the sheet`);
          return null;
        }
        if (ids.length === 1) {
          target = ids[0]!;
          if (fileRowId && fileRowId !== target) {
            findings.reject(line, 'row_id', fileRowId, 'row_id', `row_id ${fileRowId} is not the row whose ${key} matches (${target})`);
            return null;
          }
        }
      }
    }
    const rowId = target ?? fileRowId;
    if (rowId) {
      const earlier = this.seenRows.get(rowId);
      if (earlier !== undefined) {
        findings.reject(line, 'row_id', rowId, 'row_id', `row ${rowId} is on line ${earlier} of the file too`);
        return null;
      }
      this.seenRows.set(rowId, line);
    }
    if (target === null && rowId) {
      // A new row keeps the file's id, if no row of the dataset has it.
      const where = lookup.sheetOf(rowId);
      if (where !== undefined) {
        findings.reject(line, 'row_id', rowId, 'row_id', where === sheetId
          ? `row ${rowId} exists in this sheet: import with key=row_id to update it`
          : `row ${rowId} exists in sheet "${where}"`);
        return null;
      }
    }
    if (target === null) return { kind: 'insert', line, rowId: rowId ?? newRowId(), values };
    const changed = this.columns.some((c, i) => !same(lookup.cell(target, c.id), values[i]));
    return { kind: changed ? 'update' : 'unchanged', line, rowId: target, values };
  }
}

/** Step 2 in the document layout: each read record against the live document. */
async function match(
  registry: DocRegistry, options: ImportOptions, columns: readonly Column[], keyIndex: number | undefined,
  read: ReadRecord[], findings: Findings,
): Promise<Planned[]> {
  const { datasetId, sheetId, key } = options;
  // Existing rows by key value, for a column key (one pass over the sheet).
  const byKey = keyIndex !== undefined && keyIndex >= 0
    ? await registry.with(datasetId, (shared) => shared.read((doc) => {
      const index = new Map<string, string[]>();
      for (const [rowId, row] of sheetRows(requireSheet(doc, datasetId, sheetId))) addKey(index, row.get(key!), rowId);
      return index;
    }))
    : null;
  const matcher = new Matcher(options, columns, keyIndex, findings);
  const planned: Planned[] = [];
  for (let start = 0; start < read.length; start += MATCH_SLICE) {
    await registry.with(datasetId, (shared) => shared.read((doc) => {
      const rows = sheetRows(requireSheet(doc, datasetId, sheetId));
      const lookup: MatchLookup = {
        sheetOf: (rowId) => {
          if (rows.has(rowId)) return sheetId;
          for (const [id, other] of getSheets(doc)) {
            if (id !== sheetId && other instanceof Y.Map && sheetRows(other) instanceof Y.Map && sheetRows(other).has(rowId)) return id;
          }
          return undefined;
        },
        keyed: (k) => byKey?.get(k) ?? [],
        cell: (rowId, columnId) => rows.get(rowId)?.get(columnId) as CellValue | undefined,
      };
      for (const record of read.slice(start, start + MATCH_SLICE)) {
        const p = matcher.plan(record, lookup);
        if (p) planned.push(p);
      }
    }));
    await yieldTurn();
  }
  return planned;
}

/** Adds a row to an index of rows by key value: nothing for an empty value. */
function addKey(index: Map<string, string[]>, value: CellValue | undefined, rowId: string): void {
  if (isEmptyValue(value)) return;
  const k = canonical(value);
  const ids = index.get(k);
  if (ids) ids.push(rowId);
  else index.set(k, [rowId]);
}

function requireSheet(doc: Parameters<typeof getSheet>[0], datasetId: string, sheetId: string): YSheet {
  const sheet = getSheet(doc, sheetId);
  if (!sheet) throw notFound(`Dataset "${datasetId}" has no sheet "${sheetId}"`);
  return sheet;
}

/** Step 3: what the grid would mark on each imported row as it will be. */
async function warn(
  registry: DocRegistry, options: ImportOptions, sheetColumns: readonly Column[], columns: readonly Column[],
  planned: readonly Planned[], findings: Findings,
): Promise<void> {
  const { datasetId, sheetId } = options;
  const inserted = new Set(planned.filter((p) => p.kind === 'insert').map((p) => p.rowId));
  for (let start = 0; start < planned.length; start += MATCH_SLICE) {
    await registry.with(datasetId, (shared) => shared.read((doc) => {
      const rows = sheetRows(requireSheet(doc, datasetId, sheetId));
      const rowExists = (ref: string, rowId: string) => {
        const sheet = getSheet(doc, ref);
        return (sheet !== undefined && sheetRows(sheet).has(rowId)) || (ref === sheetId && inserted.has(rowId));
      };
      const lists = new Map<string, ActorList>();
      const actorNamed = (list: string, text: string) => {
        if (!lists.has(list)) lists.set(list, readActorList(doc, list));
        return lists.get(list)!.names(text);
      };
      for (const p of planned.slice(start, start + MATCH_SLICE)) {
        const cells: Record<string, CellValue> = p.kind === 'insert' ? {} : (rows.get(p.rowId)?.toJSON() as Record<string, CellValue> | undefined) ?? {};
        columns.forEach((c, i) => { cells[c.id] = p.values[i] ?? null; });
        for (const problem of rowProblems(sheetColumns, cells, { rowExists, actorNamed })) findings.warn({ line: p.line, row: p.rowId, ...problem });
      }
    }));
    await yieldTurn();
  }
}

/** Step 4: the rows into the live document as the importer, WRITE_SLICE records per transaction. */
async function write(registry: DocRegistry, options: ImportOptions, columns: readonly Column[], planned: readonly Planned[]): Promise<void> {
  const { datasetId, sheetId, userId } = options;
  const changes = planned.filter((p) => p.kind !== 'unchanged');
  for (let start = 0; start < changes.length; start += WRITE_SLICE) {
    await registry.with(datasetId, (shared) => shared.transact({ userId }, (doc) => {
      const sheet = getSheet(doc, sheetId);
      if (!sheet) throw conflict(`The sheet "${sheetId}" was deleted during the import; ${start} of ${changes.length} rows were written`);
      const rows = sheetRows(sheet);
      for (const p of changes.slice(start, start + WRITE_SLICE)) {
        const row = rows.get(p.rowId);
        if (!row) {
          insertRow(sheet, p.rowId, Object.fromEntries(columns.map((c, i) => [c.id, p.values[i] ?? null])));
          continue;
        }
        // Only what differs now: someone may have typed the same value meanwhile.
        columns.forEach((c, i) => {
          const value = p.values[i] ?? null;
          if (!same(row.get(c.id), value)) setCell(sheet, p.rowId, c.id, value);
        });
      }
    }));
    await afterStored();
  }
}

// ---- the `rows` layout: the read model is the sheet ----

/** Rows per store transaction of new rows in the `rows` layout. */
const STORED_WRITE_SLICE = 5_000;

/** What the write step of the `rows` layout does with a record: a new row, with its cells as the JSON text stored; an update. */
type StoredPlan = { kind: 'insert'; rowId: string; cells: string } | (Planned & { kind: 'update' });

/** A new row as `i TAB id TAB cells`: its cells' JSON is stored as it is, neither escaped nor parsed on the way. */
const storedPlans: Codec<StoredPlan> = {
  encode: (p) => (p.kind === 'insert' ? `i\t${p.rowId}\t${p.cells}` : `u\t${JSON.stringify(p)}`),
  decode: (line) => {
    if (line.startsWith('u\t')) return JSON.parse(line.slice(2)) as StoredPlan;
    const tab = line.indexOf('\t', 2);
    return { kind: 'insert', rowId: line.slice(2, tab), cells: line.slice(tab + 1) };
  },
};

/** A new row's cells as the JSON text the read model stores (`JSON.stringify` of them without the empty ones). */
function cellsJson(columns: readonly Column[], values: readonly CellValue[]): string {
  let json = '';
  for (let i = 0; i < columns.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    json += `${json === '' ? '{' : ','}"${columns[i]!.id}":${JSON.stringify(value)}`;
  }
  return json === '' ? '{}' : `${json}}`;
}

/**
 * An import into a dataset in the `rows` layout, its steps as above, with the records kept on disk between
 * them (`Spool`), so that memory holds a slice and not the file: records are matched against the read model
 * as they are read, a slice at a time, and checked for warnings; what they do waits on disk. Then, unless
 * it stops, new rows go straight into the read model with their history, and an update through the row's own
 * document, so that whoever has it open sees it. A `ref` to a row the same file adds further down is warned about.
 */
async function importStored(
  services: ImportServices, options: ImportOptions, sheetColumns: Column[], header: readonly HeaderTarget[], mapped: readonly Mapped[],
  rowIdIndex: number, keyIndex: number | undefined, iterator: AsyncIterator<RawRecord>, findings: Findings,
): Promise<{ status: 200 | 422; report: ImportReport }> {
  const { docs, readModel } = services.stored!;
  const { datasetId, sheetId, key } = options;
  const columns = mapped.map((m) => m.column);

  // What warnings need from the rest of the dataset, read once.
  const refIds = new Map<string, Set<string>>();
  for (const column of sheetColumns) {
    if (column.type !== 'ref' || !column.ref || refIds.has(column.ref)) continue;
    const set = new Set<string>();
    for await (const row of inTurns(readModel.exportRows(datasetId, column.ref, 'all'))) set.add(row.rowId);
    refIds.set(column.ref, set);
  }
  // The ids of the rows this file adds are kept only when a column of the sheet can refer to them.
  const added = sheetColumns.some((c) => c.type === 'ref' && c.ref === sheetId) ? new Set<string>() : null;
  const rowExists = (ref: string, rowId: string) => (refIds.get(ref)?.has(rowId) ?? false) || (ref === sheetId && (added?.has(rowId) ?? false));
  const actorNamed = actorLookup(await readActorLists(readModel, datasetId, sheetColumns));
  // The sheet's rows by key value, for a column key (one pass over the sheet).
  let byKey: Map<string, string[]> | null = null;
  if (keyIndex !== undefined && keyIndex >= 0) {
    byKey = new Map();
    for await (const row of inTurns(readModel.exportRows(datasetId, sheetId, 'all'))) addKey(byKey, row.cells[key!], row.rowId);
  }

  const matcher = new Matcher(options, columns, keyIndex, findings);
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  const planned = await Spool.create<StoredPlan>(storedPlans);
  try {
    let slice: ReadRecord[] = [];
    const matchSlice = async () => {
      const ids = new Set<string>();
      for (const record of slice) {
        if (record.rowId) ids.add(record.rowId);
        const k = matcher.keyOf(record);
        if (k !== null) for (const id of byKey?.get(k) ?? []) ids.add(id);
      }
      const existing = ids.size > 0 ? await docs.storedRows(datasetId, [...ids]) : new Map<string, { sheetId: string; cells: Record<string, CellValue> }>();
      const lookup: MatchLookup = {
        sheetOf: (rowId) => existing.get(rowId)?.sheetId,
        keyed: (k) => byKey?.get(k) ?? [],
        cell: (rowId, columnId) => existing.get(rowId)?.cells[columnId],
      };
      for (const record of slice) {
        const p = matcher.plan(record, lookup);
        if (!p) continue;
        counts[p.kind === 'insert' ? 'inserted' : p.kind === 'update' ? 'updated' : 'unchanged'] += 1;
        const cells: Record<string, CellValue> = { ...(p.kind === 'insert' ? undefined : existing.get(p.rowId)?.cells) };
        columns.forEach((c, i) => { cells[c.id] = p.values[i] ?? null; });
        for (const problem of rowProblems(sheetColumns, cells, { rowExists, actorNamed })) findings.warn({ line: p.line, row: p.rowId, ...problem });
        if (p.kind === 'insert') {
          added?.add(p.rowId);
          const waiting = planned.push({ kind: 'insert', rowId: p.rowId, cells: cellsJson(columns, p.values) });
          if (waiting) await waiting;
        } else if (p.kind === 'update') {
          await planned.push({ ...p, kind: 'update' });
        }
      }
      slice = [];
    };
    await readRecords(services, datasetId, iterator, header, mapped, rowIdIndex, findings, (record) => {
      slice.push(record);
      return slice.length === MATCH_SLICE ? matchSlice() : undefined;
    });
    await matchSlice();
    stepDone('read');
    stepDone('match');
    stepDone('warn');

    const report = reportOf(counts, findings, options);
    if (report.error) return { status: 422, report };
    if (options.dryRun) return { status: 200, report };
    await writeStored(docs, services.registry, options, columns, planned, services.rowFeed);
    stepDone('write');
    report.written = planned.count > 0;
    return { status: 200, report };
  } finally {
    await planned.dispose();
  }
}

/**
 * Step 4 in the `rows` layout: new rows into the read model, STORED_WRITE_SLICE per transaction; updates through
 * their rooms. Then the grids that show the sheet by page (the dataset room's `acks=1` clients) are told to read
 * it again: a row delta of no row (`row: ""`, `cells: null`).
 */
async function writeStored(
  docs: DocStore, registry: DocRegistry, options: ImportOptions, columns: readonly Column[], planned: Spool<StoredPlan>, rowFeed?: ImportServices['rowFeed'],
): Promise<void> {
  const { datasetId, sheetId, userId } = options;
  let inserted = 0;
  for await (const slice of planned.slices(STORED_WRITE_SLICE)) {
    const at = Date.now();
    const rows: InsertedRow[] = [];
    for (const p of slice) if (p.kind === 'insert') rows.push({ rowId: p.rowId, cells: p.cells });
    if (rows.length > 0) {
      if (docs.insertRows) await docs.insertRows(datasetId, sheetId, userId, at, rows);
      else await docs.append(insertCommit(datasetId, sheetId, userId, at, rows));
      inserted += rows.length;
    }
    for (const p of slice) {
      if (p.kind !== 'update') continue;
      await registry.with(rowRoom(datasetId, sheetId, p.rowId), (shared) => shared.transact({ userId }, (doc) => {
        const cells = getRowCells(doc);
        // Only what differs now: someone may have typed the same value meanwhile.
        columns.forEach((c, i) => {
          const value = p.values[i] ?? null;
          if (!same(cells.get(c.id), value)) cells.set(c.id, value);
        });
      }));
    }
    await yieldTurn();
  }
  if (inserted > 0) rowFeed?.sheetChanged(datasetId, sheetId);
}

/** New rows as a commit, for a store that has no `insertRows`: a history record per cell. */
function insertCommit(datasetId: string, sheetId: string, userId: string, at: number, rows: readonly InsertedRow[]): DocCommit {
  const commit = emptyCommit(datasetId);
  for (const row of rows) {
    const cells = JSON.parse(row.cells) as Record<string, CellValue>;
    for (const [columnId, value] of Object.entries(cells)) commit.cells.push({ sheetId, rowId: row.rowId, columnId, old: undefined, new: value, userId, at });
    commit.rows.push({ sheetId, rowId: row.rowId, cells, userId, at });
  }
  return commit;
}
