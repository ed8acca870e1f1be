import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { seedDemo } from '../../model/demo';
import { getSheet, readRow, sheetRows } from '../../model/document';
import { actorOffers, offerActor } from './actor-offers';

describe('actors offered from a passage', () => {
  const doc = new Y.Doc();
  seedDemo(doc);

  it('offers the actors a passage names for the sheet’s actor columns, in the order it names them', () => {
    const passage = 'This month, North Korea’s legislature voted to scrap all economic cooperation agreements with South Korea.';
    const offers = actorOffers(doc, 'events', passage);
    expect(offers.map((o) => [o.actor.name, o.named, o.columns.map((c) => c.id)])).toEqual([
      ['North Korea (Supreme People’s Assembly)', 'North Korea’s legislature', ['actor1', 'actor2']],
      ['South Korea', 'South Korea', ['actor1', 'actor2']],
    ]);
  });

  it('offers nothing on a sheet without actor columns', () => {
    expect(actorOffers(doc, 'statements', 'Liu Xiaoming met Jung Pak.')).toEqual([]);
  });

  it('writes the actor’s name into the row’s cell', () => {
    const [rowId] = [...sheetRows(getSheet(doc, 'events')!).keys()];
    expect(offerActor(doc, 'events', rowId!, 'actor2', 'Japan', 'me')).toBe(true);
    expect(readRow(sheetRows(getSheet(doc, 'events')!).get(rowId!)!).actor2).toBe('Japan');
    expect(offerActor(doc, 'events', 'no-such-row', 'actor2', 'Japan', 'me')).toBe(false);
  });
});
