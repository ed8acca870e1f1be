import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ACTOR_LIST_COLUMNS, ActorList, actorFromCells, actorParts, readActorList } from './actors';
import { type Column, validateCell } from './columns';
import { createSheet, insertRow } from './document';

const actor = (row: string, name: string, aliases: string[] = [], extra: Record<string, string> = {}) =>
  actorFromCells(row, { name, aliases, ...extra })!;

const LIST = new ActorList([
  actor('a1', 'China', ['Beijing', 'Chinese government']),
  actor('a2', 'China (Liu Xiaoming, special envoy)', ['Liu Xiaoming', 'China’s special envoy for Korean peninsula affairs']),
  actor('a3', 'United States', ['US', 'Washington']),
  actor('a4', 'North Korea', ['Pyongyang', 'DPRK']),
  actor('a5', 'North Korea (Supreme People’s Assembly)', ['North Korea’s legislature']),
  actor('a6', 'North Korea (Kim Jong-un)', ['Kim Jong-un', '김정은', '金正恩']),
  actor('a7', 'South Korea', ['Seoul']),
]);

describe('ActorList', () => {
  it('finds an actor by its name or an alias, ignoring case and extra spaces', () => {
    expect(LIST.find('china')?.actor.name).toBe('China');
    expect(LIST.find('  pyongyang ')).toMatchObject({ actor: { name: 'North Korea' }, alias: true, matched: 'Pyongyang' });
    expect(LIST.find('Liu  Xiaoming')?.actor.name).toBe('China (Liu Xiaoming, special envoy)');
    expect(LIST.find('Moscow')).toBeUndefined();
  });

  it('takes a compound actor as its ;-separated parts, each of which must name an actor', () => {
    expect(actorParts('Japan; South Korea ;')).toEqual(['Japan', 'South Korea']);
    expect(LIST.names('China; Seoul')).toBe(true);
    expect(LIST.names('China; Japan')).toBe(false);
    expect(LIST.names(' ; ')).toBe(false);
  });

  it('writes each part that is an alias as the actor’s name', () => {
    expect(LIST.canonical('Pyongyang; seoul')).toBe('North Korea; South Korea');
    expect(LIST.canonical('Atlantis')).toBe('Atlantis');
  });

  it('suggests actors whose name or alias begins with the text first, then a word of it, each once, by its best spelling', () => {
    const suggested = LIST.suggest('kim');
    expect(suggested.map((m) => [m.actor.name, m.matched])).toEqual([['North Korea (Kim Jong-un)', 'Kim Jong-un']]);
    // None begins with "korea": the names where a word begins with it, then the alias ("…for Korean peninsula affairs").
    expect(LIST.suggest('korea').map((m) => m.actor.name)).toEqual([
      'North Korea', 'North Korea (Kim Jong-un)', 'North Korea (Supreme People’s Assembly)', 'South Korea', 'China (Liu Xiaoming, special envoy)',
    ]);
    // Inside words only: the name that holds it (Liu Xiaoming), then the aliases (Beijing, Washington).
    expect(LIST.suggest('ing').map((m) => m.actor.name)).toEqual(['China (Liu Xiaoming, special envoy)', 'China', 'United States']);
    expect(LIST.suggest('chi').map((m) => m.actor.name)).toEqual(['China', 'China (Liu Xiaoming, special envoy)']);
    expect(LIST.suggest('south').map((m) => m.actor.name)).toEqual(['South Korea']);
    expect(LIST.suggest('').length).toBe(7);
  });

  it('finds the actors a passage names, as whole words, a longer mention winning over one inside it', () => {
    const text = 'This month, North Korea’s legislature voted to scrap all economic cooperation agreements with South Korea.';
    expect(LIST.mentionedIn(text).map((m) => [m.actor.name, m.matched])).toEqual([
      ['North Korea (Supreme People’s Assembly)', 'North Korea’s legislature'],
      ['South Korea', 'South Korea'],
    ]);
    const envoy = 'Liu Xiaoming, China’s special envoy for Korean peninsula affairs, said a stable Korean peninsula was in the interests of the US.';
    expect(LIST.mentionedIn(envoy).map((m) => m.actor.name)).toEqual(['China (Liu Xiaoming, special envoy)', 'United States']);
  });

  it('matches a name in capitals in capitals only, and not inside a word', () => {
    expect(LIST.mentionedIn('Let us focus on the USSR.')).toEqual([]);
    expect(LIST.mentionedIn('the US said').map((m) => m.actor.name)).toEqual(['United States']);
  });

  it('finds names in scripts written without spaces anywhere in the text', () => {
    expect(LIST.mentionedIn('朝鲜领导人金正恩说').map((m) => m.actor.name)).toEqual(['North Korea (Kim Jong-un)']);
    expect(LIST.mentionedIn('김정은 위원장').map((m) => m.actor.name)).toEqual(['North Korea (Kim Jong-un)']);
  });
});

describe('readActorList', () => {
  it('reads the actors of a sheet with the actor list columns, skipping rows without a name', () => {
    const doc = new Y.Doc();
    const sheet = createSheet(doc, { id: 'actors', name: 'Actors', columns: ACTOR_LIST_COLUMNS });
    insertRow(sheet, '01B', { name: 'Japan', code: 'JPN', aliases: ['Tokyo'], country: 'JPN' });
    insertRow(sheet, '01A', { name: 'Russia', aliases: ['Moscow', 'russia'] });
    insertRow(sheet, '01C', { code: 'XXX' });
    const list = readActorList(doc, 'actors');
    expect(list.actors).toEqual([
      { row: '01A', name: 'Russia', code: null, aliases: ['Moscow'], country: null },
      { row: '01B', name: 'Japan', code: 'JPN', aliases: ['Tokyo'], country: 'JPN' },
    ]);
    expect(readActorList(doc, 'nothing').actors).toEqual([]);
  });
});

describe('the actor problem', () => {
  const actor1: Column = { id: 'actor1', name: 'Actor 1', type: 'text', actors: 'actors' };
  const actorNamed = (sheet: string, text: string) => sheet === 'actors' && LIST.names(text);

  it('marks a value naming no actor of the column’s list, and nothing else', () => {
    expect(validateCell(actor1, 'Atlantis', { actorNamed })).toEqual([{ code: 'actor', message: 'Actor 1: "Atlantis" is not in the actor list' }]);
    expect(validateCell(actor1, 'Beijing', { actorNamed })).toEqual([]);
    expect(validateCell(actor1, 'China; South Korea', { actorNamed })).toEqual([]);
    // Without a way to look actors up, or on a column that names no list, only the type counts.
    expect(validateCell(actor1, 'Atlantis')).toEqual([]);
    expect(validateCell({ ...actor1, actors: undefined }, 'Atlantis', { actorNamed })).toEqual([]);
  });

  it('keeps an actor’s aliases as free names: a multi without a code list marks none of them', () => {
    const aliases = ACTOR_LIST_COLUMNS.find((c) => c.id === 'aliases')!;
    expect(validateCell(aliases, ['Beijing', 'PRC'])).toEqual([]);
    expect(validateCell({ ...aliases, options: [] }, ['Beijing']).map((p) => p.code)).toEqual(['code']);
  });
});
