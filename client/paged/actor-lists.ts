/**
 * The actor lists a paged sheet's columns name (docs/actors-and-duplicates.md), read from the server: a list
 * is a sheet of the dataset, and in the `rows` layout its rows are not in the browser. A list is read when a
 * sheet naming it is shown, and again each time an actor editor asks for it, so that it follows the list's
 * edits; the editor gets the list as last read.
 */
import { type Actor, ActorList, actorFromCells, actorListsOf } from '../../model/actors';
import type { Column } from '../../model/columns';
import { rowsPage } from '../api';

/** Rows read per request: the most the rows route gives. */
const PAGE = 1000;

export class PagedActorLists {
  private readonly lists = new Map<string, ActorList>();
  private readonly reading = new Map<string, Promise<void>>();

  /** `onRead`: called when a list read differs from the one before. */
  constructor(private readonly datasetId: string, private readonly onRead: () => void = () => undefined) {}

  /** Whether `text` names actors of a list as last read; true while the list has not been read (no false alarms). */
  names(sheetId: string, text: string): boolean {
    return this.lists.get(sheetId)?.names(text) ?? true;
  }

  /** The list of a sheet as last read (empty until read); reads it again meanwhile. */
  list(sheetId: string): ActorList {
    void this.read(sheetId);
    return this.lists.get(sheetId) ?? new ActorList([]);
  }

  /** The list of a sheet as last read (empty until read), without reading it again: for what asks often (each selection's actors). */
  lastRead(sheetId: string): ActorList {
    return this.lists.get(sheetId) ?? new ActorList([]);
  }

  /** Reads every list `columns` name. */
  async readFor(columns: readonly Column[]): Promise<void> {
    await Promise.all(actorListsOf(columns).map((sheetId) => this.read(sheetId)));
  }

  private read(sheetId: string): Promise<void> {
    const running = this.reading.get(sheetId);
    if (running) return running;
    const read = this.readAll(sheetId)
      .then((actors) => {
        const before = this.lists.get(sheetId);
        this.lists.set(sheetId, new ActorList(actors));
        if (!before || JSON.stringify(before.actors) !== JSON.stringify(actors)) this.onRead();
      })
      .catch((err: unknown) => console.warn(`The actor list ${sheetId} could not be read`, err))
      .finally(() => this.reading.delete(sheetId));
    this.reading.set(sheetId, read);
    return read;
  }

  private async readAll(sheetId: string): Promise<Actor[]> {
    const actors: Actor[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await rowsPage(this.datasetId, sheetId, new URLSearchParams({ offset: String(offset), limit: String(PAGE) }));
      for (const row of page.rows) {
        const actor = actorFromCells(String(row.row_id), row);
        if (actor) actors.push(actor);
      }
      if (page.rows.length < PAGE || offset + PAGE >= page.total) return actors;
    }
  }
}
