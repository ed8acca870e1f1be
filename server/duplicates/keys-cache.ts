/**
 * What each row of a sheet is compared by, kept between requests for duplicates
 * (docs/actors-and-duplicates.md#how-fast): the first request reads every row; a later one reads only the
 * rows written since the last read began (by the read model's `updated_at`, with a margin for a change
 * stored a little after it was made, or by an instance whose clock differs), and the sheet's row count.
 * A count that differs from the rows kept means rows were deleted (a merge, say): the sheet's row ids are
 * read, and the rows no longer there dropped. Every row is read again when the compared columns or an actor list changed, and every few minutes whatever
 * happened (a change stored later than the margin allows, while the database was out of reach, is seen
 * then). One request per sheet updates the keys at a time, so an older answer never overwrites a newer one.
 */
import type { DuplicateColumns } from './columns';
import type { DuplicateKeys } from './score';
import { SerialByKey } from './serial';
import type { DuplicateKeyRecord, DuplicateStore } from './store';

/**
 * Sheets of up to this many rows have every row's keys kept between requests (DUPLICATES_KEPT_ROWS), which
 * makes a later request cost the rows written since; a larger sheet is swept in date order on every request,
 * holding a window of days (`sweep.ts`).
 */
export const KEPT_ROWS = 100_000;
/** Rows written up to this long before the last read began are read again. */
export const MARGIN_MS = 30_000;
/** Every row is read again once the keys are this old. */
export const KEPT_MS = 5 * 60_000;
/** Sheets whose keys are kept (the most recently asked for). */
const SHEETS_KEPT = 4;

interface Kept {
  /** The compared columns and the actor lists the keys were read with. */
  version: string;
  /** Every row of the sheet, with its keys (null: no date, so never a duplicate). */
  rows: Map<string, DuplicateKeys | null>;
  /** When the last read began, and when every row was last read. */
  readAt: number;
  builtAt: number;
}

export class DuplicateKeysCache {
  private readonly sheets = new Map<string, Kept>();
  private readonly serial = new SerialByKey();

  constructor(private readonly store: DuplicateStore, private readonly now: () => number = Date.now) {}

  /**
   * The keys of a sheet's dated rows. `version` names what the keys are read with besides the cells (the
   * columns, the actor lists); `read` makes a row's keys from its cells.
   */
  keys(
    datasetId: string, sheetId: string, columns: DuplicateColumns, version: string, read: (record: DuplicateKeyRecord) => DuplicateKeys | null,
  ): Promise<DuplicateKeys[]> {
    const id = `${datasetId}\u0000${sheetId}`;
    const run = async () => {
      const kept = this.sheets.get(id);
      const fresh = kept !== undefined && kept.version === version && this.now() - kept.builtAt < KEPT_MS;
      const rows = fresh ? await this.update(datasetId, sheetId, columns, kept, read) : null;
      const now = rows ?? await this.readAll(datasetId, sheetId, columns, version, read);
      this.sheets.delete(id);
      this.sheets.set(id, now);
      while (this.sheets.size > SHEETS_KEPT) this.sheets.delete(this.sheets.keys().next().value!);
      const keys: DuplicateKeys[] = [];
      for (const key of now.rows.values()) if (key) keys.push(key);
      return keys;
    };
    return this.serial.run(id, run);
  }

  /** Forgets a sheet's keys (its dataset deleted, say). */
  forget(datasetId: string, sheetId?: string): void {
    for (const id of this.sheets.keys()) {
      const [dataset, sheet] = id.split('\u0000');
      if (dataset === datasetId && (sheetId === undefined || sheet === sheetId)) this.sheets.delete(id);
    }
  }

  private async readAll(
    datasetId: string, sheetId: string, columns: DuplicateColumns, version: string, read: (record: DuplicateKeyRecord) => DuplicateKeys | null,
  ): Promise<Kept> {
    const now = this.now();
    const kept: Kept = { version, rows: new Map(), readAt: now, builtAt: now };
    for (const record of await this.store.keys(datasetId, sheetId, columns)) kept.rows.set(record.rowId, read(record));
    return kept;
  }

  /** The kept keys with the rows written since, without the rows deleted; null when they do not add up (then all are read). */
  private async update(
    datasetId: string, sheetId: string, columns: DuplicateColumns, kept: Kept, read: (record: DuplicateKeyRecord) => DuplicateKeys | null,
  ): Promise<Kept | null> {
    const now = this.now();
    const changed = await this.store.keys(datasetId, sheetId, columns, kept.readAt - MARGIN_MS);
    const count = await this.store.rowCount(datasetId, sheetId);
    kept.readAt = now;
    for (const record of changed) kept.rows.set(record.rowId, read(record));
    // Every row now in the sheet is kept (it was, or it was written since): as many kept means the same rows.
    if (kept.rows.size === count) return kept;
    const ids = new Set(await this.store.rowIds(datasetId, sheetId));
    for (const id of kept.rows.keys()) if (!ids.has(id)) kept.rows.delete(id);
    return kept.rows.size === ids.size ? kept : null;
  }
}
