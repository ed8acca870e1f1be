import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { CellValue } from './columns';
import { validateRow } from './columns';
import type { Place } from './places';
import { getMeta, getSheet, readColumns, sheetRows } from './document';
import { ACTOR_LIST_COLUMNS, readActorList } from './actors';
import { DEMO_DATASET, seedDemo } from './demo';
import { DEMO_ACTORS } from './demo-actors';
import { ROW_ID } from './ids';
import { TEMPLATES } from './templates';

// A copy of the seed article (model/seed-article.ts holds it too), so the suite runs wherever the repository is cloned.
const ARTICLE = readFileSync(join(import.meta.dirname, '..', 'test', 'fixtures', 'seed-article.txt'), 'utf8');

/**
 * The statements' quotes, verbatim: each one a passage of the article as it stands (so a direct quote is
 * the exact text of its evidence), with typographic apostrophes (’) and quotation marks (“ ”).
 */
const QUOTES = [
  'All parties concerned should face the crux of the question of the peninsula and address their respective concerns in a balanced manner through meaningful dialogue',
  'China will continue to play a constructive role in advancing the process of a political settlement of the peninsula issue',
  'the US values China\u2019s role in addressing the peninsula issue and hopes to communicate and cooperate with China in this regard',
  'It\u2019s not just our problem. China has a role to play and it has influence.',
  'China should condemn North Korea\u2019s \u201cdeepening cooperation\u201d with Russia',
];

type Rows = Array<[string, Record<string, CellValue>]>;
const rowsInIdOrder = (doc: Y.Doc, sheetId: string): Rows =>
  [...sheetRows(getSheet(doc, sheetId)!).entries()]
    .map(([id, row]): [string, Record<string, CellValue>] => [id, row.toJSON() as Record<string, CellValue>])
    .sort(([a], [b]) => (a < b ? -1 : 1));

describe('seedDemo', () => {
  let doc: Y.Doc;
  let events: Rows;
  let statements: Rows;
  beforeAll(() => {
    doc = new Y.Doc();
    seedDemo(doc);
    events = rowsInIdOrder(doc, 'events');
    statements = rowsInIdOrder(doc, 'statements');
  });

  it('names the document and sets the schema version', () => {
    expect(getMeta(doc).get('name')).toBe(DEMO_DATASET.name);
    expect(getMeta(doc).get('schemaVersion')).toBe(1);
  });

  it('uses the columns of the events-statements template, its actor columns naming the actor list', () => {
    for (const sheet of TEMPLATES['events-statements']) {
      const named = sheet.columns.map((c) => (c.id === 'actor1' || c.id === 'actor2' ? { ...c, actors: 'actors' } : c));
      expect(readColumns(getSheet(doc, sheet.id)!)).toEqual(named);
    }
    expect(readColumns(getSheet(doc, 'actors')!)).toEqual(ACTOR_LIST_COLUMNS);
  });

  it('keeps an actor list that names every actor of its events, by name, with aliases from the article', () => {
    const list = readActorList(doc, 'actors');
    expect(list.actors).toHaveLength(DEMO_ACTORS.length);
    for (const [, e] of events) {
      for (const column of ['actor1', 'actor2']) if (e[column] !== undefined) expect(list.names(String(e[column])), String(e[column])).toBe(true);
      // Written by name, never by an alias.
      for (const column of ['actor1', 'actor2']) if (e[column] !== undefined) expect(list.canonical(String(e[column]))).toBe(e[column]);
    }
    // The reading pane finds the actors of an event in the passage it was coded from.
    const legislature = events[3]![1];
    expect(list.mentionedIn(String(legislature.source_excerpt)).map((m) => m.actor.name)).toEqual([legislature.actor1, legislature.actor2]);
    for (const [, e] of [events[1]!, events[6]!]) {
      expect(list.mentionedIn(String(e.source_excerpt)).map((m) => m.actor.name)).toEqual(expect.arrayContaining([e.actor1, e.actor2]));
    }
  });

  it('codes 9 events and 5 statements with valid row ids', () => {
    expect(events).toHaveLength(9);
    expect(statements).toHaveLength(5);
    for (const [id] of [...events, ...statements]) expect(id).toMatch(ROW_ID);
  });

  it('codes the events in order, with their dates, precisions, types and CAMEO codes as text', () => {
    expect(events.map(([, e]) => [e.event_date, e.date_precision, e.event_type, e.cameo_code])).toEqual([
      ['2024-02-22', 'day', 'CONSULT', '04x'],
      ['2024-02-22', 'day', 'AGREE', '036'],
      ['2024-02-14', 'day', 'MOBILIZE', '15x'],
      ['2024-02', 'month', 'SANCTION', '16x'],
      ['2024-02-22', 'day', 'COOPERATE', '03x'],
      ['2024-02-23', 'day', 'COOPERATE', '062'],
      ['2024', 'year', 'AGREE', '036'],
      ['2024-02-14', 'day', 'THREATEN', '138'],
      ['2024', 'year', 'DEMAND', '10x'],
    ]);
    expect(events[3]![1].context).toEqual(expect.arrayContaining(['economic', 'legislative']));
    expect(events[6]![1].context).toContain('future');
  });

  it('codes the G20 meeting as the allies cooperating with each other, North Korea only what it is about', () => {
    const rio = events[4]![1];
    // The location as the article writes it; the place as the gazetteer has it.
    expect(rio).toMatchObject({ actor1_country: 'USA', location: 'Rio', country: 'BRA' });
    expect(rio.place).toEqual({ name: 'Rio de Janeiro', country: 'BRA', lat: -22.90642, lon: -43.18223, precision: 1, geonameid: 3451190 });
    expect(rio.actor1).toMatch(/^United States/);
    expect(rio.actor2).toMatch(/^Japan; South Korea/);
    // Two countries in actor 2: no one code for it.
    expect(rio).not.toHaveProperty('actor2_country');
    expect(`${rio.actor1} ${rio.actor2}`).not.toMatch(/North Korea/);
    expect(rio.summary).toMatch(/North Korea/);
  });

  it('codes the air drills as South Korea with the US, the show of force towards North Korea in the summary only', () => {
    const drills = events[5]![1];
    expect(drills).toMatchObject({ actor1_country: 'KOR', actor2_country: 'USA', context: ['military'] });
    expect(drills.actor1).toMatch(/^South Korea/);
    expect(drills.actor2).toMatch(/^United States/);
    expect(`${drills.actor1} ${drills.actor2}`).not.toMatch(/North Korea/);
    expect(drills.summary).toMatch(/show of force.*North Korea/);
  });

  it("codes Kim Jong-un's warning and Washington's calls on Beijing, which the article reports too", () => {
    expect(events[7]![1]).toMatchObject({ actor1: 'North Korea (Kim Jong-un)', actor1_country: 'PRK', actor2_country: 'KOR', event_type: 'THREATEN' });
    expect(events[8]![1]).toMatchObject({ actor1: 'United States', actor1_country: 'USA', actor2: 'China', actor2_country: 'CHN', event_type: 'DEMAND' });
  });

  it('keeps the quotes verbatim, typographic apostrophes and quotation marks included', () => {
    expect(statements.map(([, s]) => s.quote)).toEqual(QUOTES);
    // The article interrupts some quotes ("…,” Pak said. “…"): every sentence of a quote is in it.
    for (const quote of QUOTES) {
      for (const sentence of quote.split(/(?<=\.) /)) expect(ARTICLE).toContain(sentence.replace(/[.,]$/, ''));
    }
    for (const [, s] of statements) expect(s.quote, 'an ASCII apostrophe or quotation mark').not.toMatch(/['"]/);
  });

  it('geocodes the events whose location the article names, as precisely as it names them', () => {
    for (const [, e] of events) {
      if (e.location === undefined) {
        expect(e, 'a place without a location').not.toHaveProperty('place');
        continue;
      }
      const place = e.place as Place;
      expect(place.country, String(e.location)).toBe(e.country);
      // A country named: precision 4 at its capital; a city named: precision 1 at its own coordinates.
      expect(place.precision, String(e.location)).toBe(e.location === 'Rio' ? 1 : 4);
      if (place.precision === 4) expect(place.name).toBe(e.location);
      expect(place.lat).not.toBeNull();
    }
    expect(events.filter(([, e]) => e.place !== undefined)).toHaveLength(4);
  });

  it('joins the air drills’ two sentences with a space, as the article does', () => {
    expect(events[5]![1].source_excerpt).not.toContain('\n');
    expect(ARTICLE).toContain(events[5]![1].source_excerpt);
  });

  it('takes every source excerpt word for word from the article', () => {
    for (const [, e] of events) {
      expect(e.source_excerpt).toBeTruthy();
      for (const line of String(e.source_excerpt).split('\n')) expect(ARTICLE).toContain(line);
    }
  });

  it('links statements 1–3 to the first event and leaves the interview without one, dated to the week', () => {
    const [firstEventId] = events[0]!;
    expect(statements.slice(0, 3).map(([, s]) => s.event_id)).toEqual([firstEventId, firstEventId, firstEventId]);
    for (const [, s] of statements.slice(3)) {
      expect(s).not.toHaveProperty('event_id');
      expect(s).toMatchObject({ speaker: 'Jung Pak', statement_date: '2024-02-15', date_precision: 'week', channel: 'interview' });
    }
    // The call to condemn is reported speech with two words quoted: indirect, as the article gives it.
    expect(statements.map(([, s]) => s.quote_type)).toEqual(['direct', 'direct', 'indirect', 'direct', 'indirect']);
  });

  it('passes its own validation: no required cell empty, no code outside its list, no dangling reference', () => {
    const exists = (sheetId: string, rowId: string) => sheetRows(getSheet(doc, sheetId)!).has(rowId);
    const actorNamed = (sheetId: string, text: string) => readActorList(doc, sheetId).names(text);
    for (const [sheetId, rows] of [['events', events], ['statements', statements], ['actors', rowsInIdOrder(doc, 'actors')]] as const) {
      const columns = readColumns(getSheet(doc, sheetId)!);
      for (const [id, row] of rows) expect(validateRow(columns, row, { rowExists: exists, actorNamed }), `${sheetId} ${id}`).toEqual({});
    }
  });

  it('makes new row ids each time, so two seeded documents do not share rows', () => {
    const other = new Y.Doc();
    seedDemo(other);
    const ids = new Set(events.map(([id]) => id));
    expect(rowsInIdOrder(other, 'events').some(([id]) => ids.has(id))).toBe(false);
  });
});
