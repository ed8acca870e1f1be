/**
 * Which rows anchor where: every anchor in any cell of any row, by source, kept up to date from the
 * Y.Doc (local and remote changes alike), so highlights follow another coder's evidence live. A
 * change to rows re-reads only the rows it touched; a change to sheets re-reads all. Nothing is read
 * until the index is first asked (the reading pane opened, a flag's detail shown), so a page that
 * never shows sources does not scan a large sheet for anchors.
 */
import type * as Y from 'yjs';
import { type Anchor, anchorsOf } from '../../model/anchors';
import { getSheets, sheetRows } from '../../model/document';

/** One anchor of one row. */
export interface RowAnchor {
  sheet: string;
  row: string;
  anchor: Anchor;
}

type Listener = (sources: ReadonlySet<string>) => void;

/**
 * Which rows anchor where, as the reading pane asks it: from the dataset's document (`EvidenceIndex`), or,
 * for a sheet whose rows are not all in the tab, from the server (client/paged/source-anchors.ts).
 */
export interface AnchorIndex {
  /** Every anchor into a source known here, row by row (an index that reads them tells `onChange` once it has). */
  anchorsIn(sourceId: string): RowAnchor[];
  /** A row's anchors, in every source. */
  anchorsOf(sheet: string, row: string): RowAnchor[];
  /** How many rows anchor into a source, or null when it is not known here. */
  rowCount(sourceId: string): number | null;
  /** Whether the anchors known into a source are not all of them (the server lists a source's first ones only). */
  truncated?(sourceId: string): boolean;
  /** Calls `listener` with the ids of the sources whose anchors changed. */
  onChange(listener: Listener): () => void;
  destroy(): void;
}

export class EvidenceIndex implements AnchorIndex {
  /** Anchors per row, keyed `sheet/row`. */
  private readonly byRow = new Map<string, RowAnchor[]>();
  /** Row keys per source id. */
  private readonly bySource = new Map<string, Set<string>>();
  private readonly listeners = new Set<Listener>();
  private readonly off: () => void;
  /** Whether the document has been read; until then changes are not followed either. */
  private built = false;

  constructor(private readonly doc: Y.Doc) {
    const sheets = getSheets(doc);
    const onChange = (events: Array<Y.YEvent<any>>) => {
      if (this.built) this.handle(events);
    };
    sheets.observeDeep(onChange);
    this.off = () => sheets.unobserveDeep(onChange);
  }

  destroy(): void {
    this.off();
    this.listeners.clear();
  }

  /** Calls `listener` with the ids of the sources whose anchors changed. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private handle(events: Array<Y.YEvent<any>>): void {
    const changed = new Set<string>();
    const touched = new Map<string, Set<string>>();
    for (const event of events) {
      const [sheet, part, row] = event.path;
      if (typeof sheet !== 'string' || part !== 'rows') {
        // The sheets themselves or their columns: read everything again.
        if (!(typeof sheet === 'string' && part === 'columns')) {
          this.rebuild(changed);
          this.emit(changed);
          return;
        }
        continue;
      }
      const rows = touched.get(sheet) ?? new Set<string>();
      touched.set(sheet, rows);
      if (typeof row === 'string') rows.add(row);
      else for (const key of (event as Y.YMapEvent<unknown>).keysChanged) rows.add(key);
    }
    for (const [sheet, rows] of touched) for (const row of rows) this.readRow(sheet, row, changed);
    this.emit(changed);
  }

  /** Every anchor into a source, row by row. */
  anchorsIn(sourceId: string): RowAnchor[] {
    this.build();
    const keys = this.bySource.get(sourceId);
    if (!keys) return [];
    return [...keys].flatMap((key) => this.byRow.get(key)!.filter((a) => a.anchor.source === sourceId));
  }

  /** A row's anchors, in every source. */
  anchorsOf(sheet: string, row: string): RowAnchor[] {
    this.build();
    return this.byRow.get(`${sheet}/${row}`) ?? [];
  }

  /** How many rows anchor into each source. */
  rowCount(sourceId: string): number {
    this.build();
    return this.bySource.get(sourceId)?.size ?? 0;
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    this.rebuild();
  }

  private emit(changed: ReadonlySet<string>): void {
    if (changed.size === 0) return;
    for (const listener of this.listeners) listener(changed);
  }

  private rebuild(changed = new Set<string>()): void {
    for (const source of this.bySource.keys()) changed.add(source);
    this.byRow.clear();
    this.bySource.clear();
    for (const [sheetId, sheet] of getSheets(this.doc)) {
      const rows = sheet.get('rows');
      if (!rows) continue;
      for (const rowId of sheetRows(sheet).keys()) this.readRow(sheetId, rowId, changed);
    }
  }

  /** Reads one row's anchors again (or drops them when the row is gone); adds the sources whose anchors changed to `changed`. */
  private readRow(sheetId: string, rowId: string, changed: Set<string>): void {
    const key = `${sheetId}/${rowId}`;
    const sheet = getSheets(this.doc).get(sheetId);
    const yrow = sheet ? sheetRows(sheet).get(rowId) : undefined;
    const found: RowAnchor[] = [];
    if (yrow) {
      for (const value of yrow.values()) {
        if (Array.isArray(value)) for (const anchor of anchorsOf(value)) found.push({ sheet: sheetId, row: rowId, anchor });
      }
    }
    const old = this.byRow.get(key) ?? [];
    // An edit of another cell of the row changes nothing here.
    if (old.length === found.length && old.every((a, i) => sameAnchor(a.anchor, found[i]!.anchor))) return;
    for (const { anchor } of old) {
      changed.add(anchor.source);
      const keys = this.bySource.get(anchor.source);
      keys?.delete(key);
      if (keys?.size === 0) this.bySource.delete(anchor.source);
    }
    this.byRow.delete(key);
    if (found.length === 0) return;
    this.byRow.set(key, found);
    for (const { anchor } of found) {
      changed.add(anchor.source);
      const keys = this.bySource.get(anchor.source) ?? new Set<string>();
      keys.add(key);
      this.bySource.set(anchor.source, keys);
    }
  }
}

const sameAnchor = (a: Anchor, b: Anchor) => a.source === b.source && a.start === b.start && a.end === b.end && a.exact === b.exact;
