/**
 * Row deltas for grids that show pages of a dataset in the `rows` layout: every row changed in its own
 * room (its cells by a client, its review and conflicts by the server) is sent, as it now is, to the clients of the
 * dataset's own room that opted in (`acks=1`), at the end of the turn it was applied in — before it is stored, as edits are broadcast.
 * With other instances, the same deltas go over the bus on the dataset's room, to their grids.
 */
import type { RowDelta } from '../../model/codes';
import { allConflicts } from '../../model/conflicts';
import { parseRoom } from '../../model/rooms';
import { reviewStatus } from '../../model/document';
import { rowFlagRecords } from '../../model/reviews';
import { rowCells } from '../../model/row-document';
import type { Bus } from './bus';
import type { Changes } from './changes';
import { rowsChangedMessage } from './protocol';
import type { SharedDoc } from './shared-doc';

/** Where the deltas go: the loaded documents by room (the registry). */
export interface LoadedRooms {
  loaded(room: string): SharedDoc | undefined;
}

export class RowFeed {
  /** Per dataset, the rows changed this turn, by `sheet\0row`. */
  private readonly changed = new Map<string, Map<string, RowDelta>>();
  private scheduled = false;

  constructor(private readonly rooms: LoadedRooms, private readonly bus?: Bus) {}

  /** Told of every change applied to any document: a row's own document queues its row. */
  afterApply(shared: SharedDoc, changes: Changes): void {
    const room = parseRoom(shared.id);
    if (!room?.row || (changes.rows.size === 0 && changes.reviews.size === 0 && changes.conflicts.size === 0)) return;
    const { sheetId, rowId } = room.row;
    let rows = this.changed.get(room.datasetId);
    if (!rows) this.changed.set(room.datasetId, (rows = new Map()));
    const key = `${sheetId}\0${rowId}`;
    const delta: RowDelta = { sheet: sheetId, row: rowId, cells: shared.read(rowCells) };
    // A review changed now, or earlier this turn: the delta carries it as it now is.
    if (changes.reviews.size > 0 || rows.get(key)?.review) {
      delta.review = shared.read((doc) => ({ status: reviewStatus(doc, rowId), flags: rowFlagRecords(doc, rowId) }));
    }
    // The same for its conflicts.
    if (changes.conflicts.size > 0 || rows.get(key)?.conflicts) delta.conflicts = shared.read(allConflicts);
    rows.set(key, delta);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.send());
  }

  /**
   * A sheet's rows changed in bulk (an import wrote new rows straight into the read model): the grids on
   * the dataset's room, on every instance, read their pages of it again.
   */
  sheetChanged(datasetId: string, sheetId: string): void {
    const rows: RowDelta[] = [{ sheet: sheetId, row: '', cells: null }];
    this.toGrids(datasetId, rows);
    this.bus?.publish(datasetId, { kind: 'rows', rows });
  }

  /** Deltas another instance sent on a dataset's room: to this instance's grids on it. */
  received(datasetId: string, rows: RowDelta[]): void {
    this.toGrids(datasetId, rows);
  }

  private send(): void {
    this.scheduled = false;
    for (const [datasetId, changed] of this.changed) {
      const rows = [...changed.values()];
      this.toGrids(datasetId, rows);
      this.bus?.publish(datasetId, { kind: 'rows', rows });
    }
    this.changed.clear();
  }

  private toGrids(datasetId: string, rows: RowDelta[]): void {
    const dataset = this.rooms.loaded(datasetId);
    if (!dataset) return;
    const message = rowsChangedMessage(rows);
    for (const peer of dataset.connectedPeers()) if (peer.acks) peer.send(message);
  }
}
