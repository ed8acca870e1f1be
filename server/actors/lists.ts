/**
 * The actor lists a sheet's columns name, read once for a check of many rows: the server's side of the
 * `actor` problem (model/actors.ts holds the rule; the grid checks against the live document).
 */
import { type Actor, ActorList, actorFromCells, actorListsOf } from '../../model/actors';
import type { CellValue, Column } from '../../model/columns';
import { inTurns } from '../http/turns';
import type { ReadModel } from '../storage';

/** Answers `ValidationContext.actorNamed` from lists read beforehand (a sheet not read names no actor). */
export function actorLookup(lists: ReadonlyMap<string, ActorList>): (sheetId: string, text: string) => boolean {
  return (sheetId, text) => lists.get(sheetId)?.names(text) ?? false;
}

/** An actor list from rows of cells (the read model's, or a release snapshot's records). */
export function actorListOf(rows: Iterable<{ rowId: string; cells: Readonly<Record<string, CellValue | undefined>> }>): ActorList {
  const actors: Actor[] = [];
  for (const { rowId, cells } of rows) {
    const actor = actorFromCells(rowId, cells);
    if (actor) actors.push(actor);
  }
  return new ActorList(actors);
}

/** The actor lists `columns` name, from the read model; a list whose sheet does not exist is empty. */
export async function readActorLists(readModel: ReadModel, datasetId: string, columns: readonly Column[]): Promise<Map<string, ActorList>> {
  const lists = new Map<string, ActorList>();
  for (const sheetId of actorListsOf(columns)) {
    const rows = [];
    for await (const row of inTurns(readModel.exportRows(datasetId, sheetId, 'all'))) rows.push(row);
    lists.set(sheetId, actorListOf(rows));
  }
  return lists;
}
