/**
 * Actors from a passage: when a coder selects a passage of a source, the actors whose names or aliases
 * occur in it (model/actors.ts) are offered for the focused row's actor columns, each column taking an
 * actor of the list it names. Choosing one writes the actor's name into the cell, as the grid's actor
 * editor does, as one change of this user's (one undo step).
 */
import type * as Y from 'yjs';
import { type Actor, type ActorList, readActorList } from '../../model/actors';
import type { Column } from '../../model/columns';
import { getSheet, readColumns } from '../../model/document';
import { writeCells } from '../grid/edit';

export interface ActorOffer {
  actor: Actor;
  /** How the passage names it (a name or an alias, as written there). */
  named: string;
  /** The row's columns that may take it: those naming the list it is in. */
  columns: Column[];
}

/** The sheet's columns that name an actor list. */
export function actorColumns(doc: Y.Doc, sheetId: string): Column[] {
  const sheet = getSheet(doc, sheetId);
  return sheet ? readColumns(sheet).filter((c) => c.type === 'text' && c.actors !== undefined) : [];
}

/** The actors `passage` names that a row of `sheetId` may take, in the order the passage first names them. */
export function actorOffers(doc: Y.Doc, sheetId: string, passage: string): ActorOffer[] {
  return offersIn(actorColumns(doc, sheetId), (list) => readActorList(doc, list), passage);
}

/** The actors `passage` names that a row with `columns` may take, each list read by `listOf`. */
export function offersIn(all: readonly Column[], listOf: (list: string) => ActorList, passage: string): ActorOffer[] {
  const columns = all.filter((c) => c.type === 'text' && c.actors !== undefined);
  const offers = new Map<string, ActorOffer & { at: number }>();
  for (const list of new Set(columns.map((c) => c.actors!))) {
    const takers = columns.filter((c) => c.actors === list);
    for (const mention of listOf(list).mentionedIn(passage)) {
      const key = `${list}\0${mention.actor.row}`;
      if (!offers.has(key)) offers.set(key, { actor: mention.actor, named: mention.matched, columns: takers, at: mention.start });
    }
  }
  return [...offers.values()].sort((a, b) => a.at - b.at).map(({ at: _at, ...offer }) => offer);
}

/** Writes an actor's name into a row's cell; false when the sheet or the row is gone. */
export function offerActor(doc: Y.Doc, sheetId: string, rowId: string, columnId: string, name: string, origin: unknown): boolean {
  const sheet = getSheet(doc, sheetId);
  if (!sheet || !(sheet.get('rows') as Y.Map<unknown> | undefined)?.has(rowId)) return false;
  writeCells(doc, sheetId, [{ row: rowId, column: columnId, value: name }], origin);
  return true;
}
