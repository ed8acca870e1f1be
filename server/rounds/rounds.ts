/**
 * Double coding: rounds of rows that several coders code blind, each in a copy of their own; their
 * agreement (Krippendorff's alpha) and the adjudication of their disagreements into the dataset.
 * Routes call this; the socket asks it which copy a coder opens and with what role.
 */
import type { Level } from '../../model/agreement/alpha';
import { type CodedRow, columnAgreement, defaultLevel, levelProblem, type UnitScore } from '../../model/agreement/report';
import { type CellValue, type Column, isEmpty, sameCellValue } from '../../model/columns';
import { getSheet, setCell, sheetRows } from '../../model/document';
import { type Adjudication, type Agreement, MAX_ROUND_ROWS, type NewRoundBody, type Round, type RoundList, type RoundSubmitted, type RoundUnits } from '../../model/http';
import { newRowId } from '../../model/ids';
import { cellProblem } from '../../model/layout';
import { coderCopyRoom, parseRoom, rowRoom } from '../../model/rooms';
import { getRowCells, isRowDeleted } from '../../model/row-document';
import type { Role } from '../../model/roles';
import { managesDataset, roleOn } from '../access';
import type { User } from '../auth/users';
import { badRequest, conflict, forbidden, notFound } from '../errors';
import type { EvidenceCheck } from '../sources/evidence';
import type { DatasetRecord, RoundRecord, Storage } from '../storage';
import type { LivePeers } from '../sync/live-peers';
import type { DocRegistry } from '../sync/registry';
import type { NewCell } from '../sync/update-check';
import { copyCommits, readSheet } from './copies';
import { drawSample, newSeed, sampleSize } from './sample';

type NewRound = Omit<NewRoundBody, 'levels'> & { levels?: Record<string, Level> };

/** The coder's copy a socket opens, and the role it syncs with there. */
export interface CopyAccess {
  room: string;
  role: Role;
}

export class Rounds {
  /** A copy's room → the round's columns (a round's columns never change). */
  private readonly copyColumns = new Map<string, ReadonlySet<string>>();

  constructor(
    private readonly storage: Storage,
    private readonly registry: DocRegistry,
    private readonly peers: LivePeers,
    private readonly evidence: EvidenceCheck,
  ) {}

  /** Creates a round and every coder's copy; 400 for a sheet, row, column, coder or level that does not fit. */
  async create(dataset: DatasetRecord, user: User, body: NewRound): Promise<Round> {
    const sheet = await this.registry.with(dataset.id, (shared) => shared.read((doc) => readSheet(doc, body.sheet)));
    if (!sheet) throw badRequest(`sheet: the dataset has no sheet "${body.sheet}"`);
    // In the `rows` layout the dataset's document holds no rows: they are read from the read model.
    const rowIds = dataset.layout === 'rows' ? await this.storage.rounds.sheetRows(dataset.id, body.sheet) : [...sheet.rows.keys()];
    const columns = uniqueOrThrow(body.columns, 'columns');
    const byId = new Map(sheet.columns.map((c) => [c.id, c]));
    for (const id of columns) if (!byId.has(id)) throw badRequest(`columns: the sheet has no column "${id}"`);
    const levels: Record<string, Level> = {};
    for (const id of Object.keys(body.levels ?? {})) {
      if (!columns.includes(id)) throw badRequest(`levels: "${id}" is not one of the round's columns`);
    }
    for (const id of columns) {
      const column = byId.get(id)!;
      const level = body.levels?.[id] ?? defaultLevel(column.type);
      const problem = levelProblem(column, level);
      if (problem) throw badRequest(`levels: ${problem}`);
      levels[id] = level;
    }
    const coders = [];
    for (const name of uniqueOrThrow(body.coders, 'coders')) {
      const coder = await this.storage.users.byName(name);
      if (!coder || coder.disabled) throw badRequest(`coders: there is no user "${name}"`);
      if (!await roleOn(this.storage.datasets, coder, dataset)) throw badRequest(`coders: "${name}" may not open this dataset`);
      coders.push(coder);
    }
    const listed = [...new Set(body.rows ?? [])];
    const inSheet = new Set(rowIds);
    for (const row of listed) if (!inSheet.has(row)) throw badRequest(`rows: the sheet has no row "${row}"`);
    let sample: RoundRecord['sample'] = null;
    let rows = listed;
    if (body.sample) {
      // Rows not yet double-coded: in no round of this sheet, and not listed already.
      const taken = new Set([...listed, ...(await this.storage.rounds.list(dataset.id)).filter((r) => r.sheetId === body.sheet).flatMap((r) => r.rows)]);
      const seed = body.sample.seed ?? newSeed();
      sample = { percent: body.sample.percent, seed };
      // The percentage is of the whole sheet, as a team says "we double-code 15% of the events".
      const size = sampleSize(rowIds.length, body.sample.percent);
      rows = [...listed, ...drawSample(rowIds.filter((r) => !taken.has(r)), size, seed)];
    }
    if (rows.length === 0) throw badRequest('rows: the round has no rows (every row of the sheet is in a round already)');
    if (rows.length > MAX_ROUND_ROWS) {
      // Only a sample can take it past the limit: the listed rows alone are checked with the body.
      const most = Math.floor(((MAX_ROUND_ROWS - listed.length) / rowIds.length) * 1000) / 10;
      throw badRequest(`sample: ${body.sample!.percent}% of the sheet makes a round of ${rows.length.toLocaleString('en')} rows; a round holds `
        + `at most ${MAX_ROUND_ROWS.toLocaleString('en')} (each coder codes a copy of them): sample at most ${most}%`);
    }
    if (dataset.layout === 'rows') {
      // The copies hold the round's rows only: read those.
      for (const [rowId, row] of await this.storage.docs.storedRows(dataset.id, rows)) if (row.sheetId === body.sheet) sheet.rows.set(rowId, row.cells);
    }

    const id = newRowId();
    const record: RoundRecord = {
      id, datasetId: dataset.id, name: body.name ?? `Round of ${new Date().toISOString().slice(0, 10)}`, sheetId: body.sheet,
      rows, columns, levels, sample, createdBy: user.id, createdAt: Date.now(),
      coders: coders.map((c) => ({ userId: c.id, submittedAt: null })),
    };
    const copies = copyCommits({
      datasetId: dataset.id, datasetName: dataset.name, roundId: id, sheetId: body.sheet, rows, columns, coderIds: coders.map((c) => c.id),
    }, sheet, user.id);
    await this.storage.rounds.create(record, copies);
    return this.view(dataset, record, user);
  }

  /** Whether the user manages the dataset's rounds (its admins, archived or not): sees every round, its agreement and units. */
  manages(dataset: DatasetRecord, user: User): Promise<boolean> {
    return managesDataset(this.storage.datasets, user, dataset);
  }

  /** The rounds a user may see: a dataset admin every one, anyone else those they code. */
  async list(dataset: DatasetRecord, user: User): Promise<RoundList> {
    const all = await this.manages(dataset, user);
    const listed: RoundList = [];
    for (const r of await this.storage.rounds.list(dataset.id)) {
      if (!all && !r.coders.some((c) => c.userId === user.id)) continue;
      const { rows, ...rest } = await this.view(dataset, r, user);
      listed.push({ ...rest, rowCount: rows.length });
    }
    return listed;
  }

  /** A round the user may see (404 otherwise): a dataset admin sees every round, a coder their own. */
  async get(dataset: DatasetRecord, user: User, roundId: string): Promise<RoundRecord> {
    const round = await this.storage.rounds.get(dataset.id, roundId);
    if (!round || (!round.coders.some((c) => c.userId === user.id) && !await this.manages(dataset, user))) throw notFound(`No round "${roundId}"`);
    return round;
  }

  /** A round with every coder's progress. */
  async view(dataset: DatasetRecord, round: RoundRecord, user: User): Promise<Round> {
    const names = await this.coderNames(round);
    const progress = [];
    for (const [i, c] of round.coders.entries()) {
      const cells = await this.copyCells(round, c.userId);
      let coded = 0;
      let rowsDone = 0;
      for (const row of round.rows) {
        const filled = round.columns.filter((col) => !isBlank(cells.get(row)?.[col])).length;
        coded += filled;
        if (filled === round.columns.length) rowsDone++;
      }
      progress.push({ name: names[i]!, coded, rowsDone, submittedAt: iso(c.submittedAt) });
    }
    return {
      id: round.id, dataset: dataset.id, name: round.name, sheet: round.sheetId, rows: round.rows, columns: round.columns,
      coders: names, levels: round.levels, sample: round.sample,
      createdBy: (await this.storage.users.byId(round.createdBy))?.name ?? '', createdAt: new Date(round.createdAt).toISOString(),
      status: round.coders.every((c) => c.submittedAt !== null) ? 'submitted' : 'open',
      units: round.rows.length * round.columns.length, progress,
      isCoder: round.coders.some((c) => c.userId === user.id),
    };
  }

  /** The coder submits: their copy is read-only from now on (open sockets at once). 403 for anyone but a coder, 409 twice. */
  async submit(dataset: DatasetRecord, round: RoundRecord, user: User): Promise<RoundSubmitted> {
    if (!round.coders.some((c) => c.userId === user.id)) throw forbidden('Only the round\'s coders submit their coding');
    const room = coderCopyRoom(dataset.id, round.id, user.id);
    // What the copy applied so far is stored before it turns read-only.
    await this.registry.loaded(room)?.flush();
    const at = Date.now();
    if (!await this.storage.rounds.submit(dataset.id, round.id, user.id, at)) throw conflict('You have submitted this round already');
    await this.peers.recheck({ userId: user.id, datasetId: dataset.id });
    return { round: round.id, coder: user.name, submittedAt: new Date(at).toISOString() };
  }

  /**
   * Which copy a user opens on a round's room, and with what role: null (4404) unless they may open
   * the dataset and code the round. Writable while the round is open for them and the dataset active.
   */
  async copyFor(dataset: DatasetRecord, roundId: string, user: User): Promise<CopyAccess | null> {
    const round = await this.storage.rounds.get(dataset.id, roundId);
    const coder = round?.coders.find((c) => c.userId === user.id);
    const role = await roleOn(this.storage.datasets, user, dataset);
    if (!round || !coder || !role) return null;
    const writable = coder.submittedAt === null && dataset.archivedAt === null;
    return { room: coderCopyRoom(dataset.id, round.id, user.id), role: writable ? 'editor' : 'viewer' };
  }

  /**
   * Why an update of a coder's copy may not write these cells, or null: a coder fills the round's
   * columns only; the others show the dataset as it was. Rooms that are no copy are not asked about.
   */
  copyCellProblem(room: string, cells: readonly NewCell[]): string | null | Promise<void> {
    const parsed = parseRoom(room);
    if (parsed?.coder === undefined) return null;
    const columns = this.copyColumns.get(room);
    // Read once from the store; the document asks again once it is read.
    if (!columns) {
      return this.storage.rounds.get(parsed.datasetId, parsed.round!)
        .then((round) => void this.copyColumns.set(room, new Set(round?.columns ?? [])));
    }
    const other = cells.find((c) => !columns.has(c.column));
    return other ? `${other.column}: only the round's columns are coded in a round` : null;
  }

  /** Krippendorff's alpha and percent agreement per column and per pair of coders. */
  async agreement(dataset: DatasetRecord, round: RoundRecord): Promise<Agreement> {
    const result: Agreement = { round: round.id, columns: [], pairs: [] };
    for (const { overall, pairs } of await this.analyse(dataset, round)) {
      result.columns.push(overall);
      result.pairs.push(...pairs.map(({ level: _level, ...pair }) => pair));
    }
    return result;
  }

  /** Every unit (row × column) with each coder's value, most disagreement first. */
  async units(dataset: DatasetRecord, round: RoundRecord, filter: { column?: string; open?: boolean }): Promise<RoundUnits> {
    const decided = new Map((await this.storage.rounds.adjudications(dataset.id, round.id)).map((a) => [`${a.rowId}\0${a.columnId}`, a]));
    const current = await this.datasetCells(dataset.id, round);
    const deciders = new Map<string, string>();
    for (const a of decided.values()) if (!deciders.has(a.userId)) deciders.set(a.userId, (await this.storage.users.byId(a.userId))?.name ?? '');
    const rowOrder = new Map(round.rows.map((r, i) => [r, i]));
    const columnOrder = new Map(round.columns.map((c, i) => [c, i]));
    const units: Array<UnitScore & { current: CellValue; adjudication: Adjudication | null }> = [];
    for (const { units: scored } of await this.analyse(dataset, round, filter.column)) {
      for (const unit of scored) {
        const a = decided.get(`${unit.row}\0${unit.column}`);
        if (filter.open && a) continue;
        units.push({
          ...unit,
          current: current.get(unit.row)?.[unit.column] ?? null,
          adjudication: a ? {
            round: round.id, row: a.rowId, column: a.columnId, value: a.value, values: a.coderValues,
            by: deciders.get(a.userId) ?? '', at: new Date(a.at).toISOString(),
          } : null,
        });
      }
    }
    // Most disagreement first; among equals, units without agreement (a coder left it empty) before agreed ones.
    return units.sort((a, b) => b.disagreement - a.disagreement
      || Number(a.agreed !== undefined) - Number(b.agreed !== undefined)
      || rowOrder.get(a.row)! - rowOrder.get(b.row)! || columnOrder.get(a.column)! - columnOrder.get(b.column)!);
  }

  /**
   * Writes the decided value into the dataset's cell through its live document; the history records
   * it with every coder's value (a note on the change). A value the cell holds already is decided
   * without a write: no history entry, and an approved row stays approved. 409 if the row left the
   * sheet meanwhile.
   */
  async adjudicate(dataset: DatasetRecord, round: RoundRecord, user: User, body: { row: string; column: string; value: CellValue }): Promise<Adjudication> {
    if (!round.rows.includes(body.row)) throw badRequest(`row: "${body.row}" is not a row of this round`);
    if (!round.columns.includes(body.column)) throw badRequest(`column: "${body.column}" is not a column of this round`);
    const problem = cellProblem(body.column, body.value) ?? await this.evidence.problemOf(dataset.id, [{ column: body.column, value: body.value }]);
    if (problem) throw badRequest(`value: ${problem}`);
    const names = await this.coderNames(round);
    const values: Record<string, CellValue> = {};
    for (const [i, c] of round.coders.entries()) values[names[i]!] = (await this.copyCells(round, c.userId)).get(body.row)?.[body.column] ?? null;
    const note = JSON.stringify({ adjudication: { round: round.id, values } });
    const at = Date.now();
    const gone = conflict(`The row "${body.row}" is no longer in the sheet "${round.sheetId}"`);
    const decided = body.value === '' ? null : body.value;
    if (dataset.layout === 'rows') {
      // Into the row's own document; one the read model does not have is gone (its document would start empty).
      if ((await this.storage.readModel.rowReview(dataset.id, body.row))?.sheetId !== round.sheetId) throw gone;
      await this.registry.with(rowRoom(dataset.id, round.sheetId, body.row), (shared) => shared.transact({ userId: user.id, note }, (doc) => {
        if (isRowDeleted(doc)) throw gone;
        if (!sameCellValue(getRowCells(doc).get(body.column), decided)) getRowCells(doc).set(body.column, decided);
      }));
    } else {
      await this.registry.with(dataset.id, (shared) => shared.transact({ userId: user.id, note }, (doc) => {
        const sheet = getSheet(doc, round.sheetId);
        const row = sheet ? sheetRows(sheet).get(body.row) : undefined;
        if (!sheet || !row) throw gone;
        // A decision the cell holds already is kept for the round, and writes nothing.
        if (!sameCellValue(row.get(body.column), decided)) setCell(sheet, body.row, body.column, body.value);
      }));
    }
    await this.storage.rounds.saveAdjudication(dataset.id, {
      roundId: round.id, rowId: body.row, columnId: body.column, value: body.value, coderValues: values, userId: user.id, at,
    });
    return { round: round.id, row: body.row, column: body.column, value: body.value, values, by: user.name, at: new Date(at).toISOString() };
  }

  /** Agreement of each round column (or one), from the coders' copies as stored now. */
  private async analyse(dataset: DatasetRecord, round: RoundRecord, only?: string) {
    const names = await this.coderNames(round);
    const copies: Array<Map<string, Record<string, CellValue>>> = [];
    for (const c of round.coders) copies.push(await this.copyCells(round, c.userId));
    const sheetColumns = (await this.storage.datasets.sheets(dataset.id)).find((s) => s.id === round.sheetId)?.columns ?? [];
    return round.columns.filter((id) => only === undefined || id === only).map((id) => {
      // A column deleted from the dataset since is still compared, as text.
      const column: Column = sheetColumns.find((c) => c.id === id) ?? { id, name: id, type: 'text' };
      const rows: CodedRow[] = round.rows.map((row) => ({
        row, values: Object.fromEntries(names.map((name, i) => [name, copies[i]!.get(row)?.[id]])),
      }));
      return columnAgreement(column, round.levels[id] ?? defaultLevel(column.type), names, rows);
    });
  }

  private async coderNames(round: RoundRecord): Promise<string[]> {
    const names = [];
    for (const c of round.coders) names.push((await this.storage.users.byId(c.userId))?.name ?? c.userId);
    return names;
  }

  /** A coder's copy as stored (what it applied is flushed first): row id → cells. */
  private async copyCells(round: RoundRecord, userId: string): Promise<Map<string, Record<string, CellValue>>> {
    const room = coderCopyRoom(round.datasetId, round.id, userId);
    await this.registry.loaded(room)?.flush();
    const cells = new Map<string, Record<string, CellValue>>();
    for await (const row of this.storage.readModel.exportRows(room, round.sheetId, 'all')) cells.set(row.rowId, row.cells);
    return cells;
  }

  /** The dataset's cells of the round's rows, as the read model holds them. */
  private async datasetCells(datasetId: string, round: RoundRecord): Promise<Map<string, Record<string, CellValue>>> {
    await this.registry.storeApplied(datasetId);
    const cells = new Map<string, Record<string, CellValue>>();
    for (const [rowId, row] of await this.storage.docs.storedRows(datasetId, round.rows)) if (row.sheetId === round.sheetId) cells.set(rowId, row.cells);
    return cells;
  }
}

function uniqueOrThrow(values: readonly string[], field: string): string[] {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw badRequest(`${field}: "${v}" is listed twice`);
    seen.add(v);
  }
  return [...seen];
}

const isBlank = (value: CellValue | undefined) => value === undefined || isEmpty(value);

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
