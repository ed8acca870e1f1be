/**
 * Which rows anchor where, for the reading pane of a dataset in the `rows` layout (docs/sources.md#on-large-sheets):
 * the tab holds pages of rows, not the sheet, so the anchors into a source are read from the server
 * (`GET …/sources/:source/anchors`) when the pane shows it, and kept for the few sources shown last. They
 * stay live from the row deltas: a delta carries the row as it now is, so a changed row's anchors into a
 * kept source are taken from it at once, without asking the server (whose answer comes from the read
 * model's table of anchors: milliseconds at a million rows). The source is read again (debounced) only when
 * a delta cannot tell: a sheet changed in bulk (an import), or a row of the source changed while a read was
 * under way (its answer may be older than the delta). A row's own anchors are read from its cells as the
 * grid holds them, when its page is loaded.
 */
import { type Anchor, anchorsOf } from '../../model/anchors';
import type { RowDelta } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { api } from '../api';
import type { AnchorIndex, RowAnchor } from '../sources/evidence-index';

/** Sources whose anchors are kept (the one on show and a few before it). */
const SOURCES_KEPT = 8;
/** A source whose rows changed is read again this long after the last change. */
export const REREAD_DELAY_MS = 400;

type Listener = (sources: ReadonlySet<string>) => void;

interface Kept {
  anchors: RowAnchor[];
  /** Set once the server answered. */
  read: boolean;
  /** The server's answer was cut short: some rows' anchors are missing. */
  truncated: boolean;
  reading: Promise<void> | null;
  /** Changed while a read was under way: read again after it. */
  stale: boolean;
}

export class ServerAnchors implements AnchorIndex {
  /** By source id, the last asked for last. */
  private readonly kept = new Map<string, Kept>();
  private readonly listeners = new Set<Listener>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private destroyed = false;

  /** `loadedCells`: a row's cells as the grid holds them, or undefined when its page is not loaded. */
  constructor(
    private readonly datasetId: string,
    private readonly loadedCells: (sheet: string, row: string) => Record<string, unknown> | undefined,
  ) {}

  destroy(): void {
    this.destroyed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.listeners.clear();
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  anchorsIn(sourceId: string): RowAnchor[] {
    let kept = this.kept.get(sourceId);
    if (!kept) {
      kept = { anchors: [], read: false, truncated: false, reading: null, stale: false };
      this.kept.set(sourceId, kept);
      void this.read(sourceId);
      for (const old of this.kept.keys()) {
        if (this.kept.size <= SOURCES_KEPT) break;
        if (old !== sourceId) this.kept.delete(old);
      }
    } else {
      // The last asked for is kept longest.
      this.kept.delete(sourceId);
      this.kept.set(sourceId, kept);
    }
    return kept.anchors;
  }

  anchorsOf(sheet: string, row: string): RowAnchor[] {
    const cells = this.loadedCells(sheet, row);
    if (cells) return cellAnchors(sheet, row, cells);
    // Not on a page read: what the sources kept say of it.
    return [...this.kept.values()].flatMap((k) => k.anchors.filter((a) => a.sheet === sheet && a.row === row));
  }

  rowCount(sourceId: string): number | null {
    const kept = this.kept.get(sourceId);
    if (!kept?.read || kept.truncated) return null;
    return new Set(kept.anchors.map((a) => `${a.sheet}/${a.row}`)).size;
  }

  /** Whether the server's answer for a source was cut short (the pane then says so). */
  truncated(sourceId: string): boolean {
    return this.kept.get(sourceId)?.truncated === true;
  }

  /** Rows changed (deltas on the dataset's room, or this tab's own write): kept sources follow. */
  rowsChanged(deltas: ReadonlyArray<Pick<RowDelta, 'sheet' | 'row' | 'cells'>>): void {
    const changed = new Set<string>();
    for (const [sourceId, kept] of this.kept) {
      let reread = false;
      for (const delta of deltas) {
        if (delta.cells === null && delta.row === '') {
          // A sheet changed in bulk (an import): read again.
          reread = true;
          continue;
        }
        if (delta.cells === null) {
          // A row deleted: its passages go at once.
          const before = kept.anchors.length;
          kept.anchors = kept.anchors.filter((a) => !(a.sheet === delta.sheet && a.row === delta.row));
          if (kept.anchors.length !== before) {
            changed.add(sourceId);
            reread ||= kept.reading !== null;
          }
          continue;
        }
        const now = cellAnchors(delta.sheet, delta.row, delta.cells).filter((a) => a.anchor.source === sourceId);
        const was = kept.anchors.filter((a) => a.sheet === delta.sheet && a.row === delta.row);
        if (sameAnchors(was, now)) continue;
        kept.anchors = [...kept.anchors.filter((a) => !(a.sheet === delta.sheet && a.row === delta.row)), ...now];
        changed.add(sourceId);
        reread ||= kept.reading !== null;
      }
      if (reread) this.readSoon(sourceId);
    }
    this.emit(changed);
  }

  private readSoon(sourceId: string): void {
    clearTimeout(this.timers.get(sourceId));
    this.timers.set(sourceId, setTimeout(() => {
      this.timers.delete(sourceId);
      void this.read(sourceId);
    }, REREAD_DELAY_MS));
  }

  private async read(sourceId: string): Promise<void> {
    const kept = this.kept.get(sourceId);
    if (!kept || this.destroyed) return;
    if (kept.reading) {
      kept.stale = true;
      return kept.reading;
    }
    kept.stale = false;
    kept.reading = api.get('/api/datasets/{id}/sources/{sourceId}/anchors', { params: { id: this.datasetId, sourceId } })
      .then((answer) => {
        const anchors = answer.anchors.map(({ sheet, row, start, end, exact }) => ({ sheet, row, anchor: { source: sourceId, start, end, exact } }));
        const changed = !kept.read || !sameAnchors(sorted(kept.anchors), sorted(anchors));
        Object.assign(kept, { anchors, read: true, truncated: answer.truncated });
        if (changed && this.kept.get(sourceId) === kept) this.emit(new Set([sourceId]));
      }, (err: unknown) => console.warn(`The anchors of source ${sourceId} could not be read`, err))
      .finally(() => {
        kept.reading = null;
        if (kept.stale) this.readSoon(sourceId);
      });
    return kept.reading;
  }

  private emit(changed: ReadonlySet<string>): void {
    if (changed.size === 0 || this.destroyed) return;
    for (const listener of this.listeners) listener(changed);
  }
}

/** The anchors in a row's cells, in every source (any cell holding a list of anchors, as `EvidenceIndex` reads them). */
export function cellAnchors(sheet: string, row: string, cells: Record<string, unknown>): RowAnchor[] {
  const found: RowAnchor[] = [];
  for (const value of Object.values(cells)) {
    if (Array.isArray(value)) for (const anchor of anchorsOf(value as CellValue)) found.push({ sheet, row, anchor });
  }
  return found;
}

const sameAnchor = (a: Anchor, b: Anchor) => a.source === b.source && a.start === b.start && a.end === b.end && a.exact === b.exact;
const sameAnchors = (a: readonly RowAnchor[], b: readonly RowAnchor[]) =>
  a.length === b.length && a.every((x, i) => x.sheet === b[i]!.sheet && x.row === b[i]!.row && sameAnchor(x.anchor, b[i]!.anchor));
const sorted = (anchors: readonly RowAnchor[]) => [...anchors].sort((x, y) =>
  (x.sheet + '/' + x.row).localeCompare(y.sheet + '/' + y.row) || x.anchor.start - y.anchor.start || x.anchor.end - y.anchor.end);
