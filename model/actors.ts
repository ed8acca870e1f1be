/**
 * Actor lists: a sheet whose rows are actors (`name`, `code`, `aliases`, `country`) that a text column
 * names with `"actors": sheetId`. A cell of such a column names one actor, or several joined with `;`
 * (a compound actor: "Japan; South Korea"); each part is an actor's name or one of its aliases, in any
 * case. The grid's editor, the reading pane, the problems (code `actor`) and duplicate detection all
 * read the list through here (docs/actors-and-duplicates.md).
 */
import * as Y from 'yjs';
import type { CellValue, Column } from './columns';
import { getSheet, readColumns, readRow, sheetRows } from './document';

/** The columns of an actor list, by id. */
export const ACTOR_COLUMNS = { name: 'name', code: 'code', aliases: 'aliases', country: 'country' } as const;

/** The columns a new actor list gets. */
export const ACTOR_LIST_COLUMNS: Column[] = [
  { id: ACTOR_COLUMNS.name, name: 'Name', type: 'text', required: true, description: 'The name coders write for this actor, e.g. "China (Liu Xiaoming, special envoy)".' },
  { id: ACTOR_COLUMNS.code, name: 'Code', type: 'text', description: 'The actor code, e.g. CHNGOV (CAMEO style: country, then role).' },
  { id: ACTOR_COLUMNS.aliases, name: 'Aliases', type: 'multi', description: 'Other names the sources use for this actor; picking one writes the name.' },
  { id: ACTOR_COLUMNS.country, name: 'Country', type: 'text', description: 'ISO 3166-1 alpha-3 code of the actor’s country, e.g. CHN.' },
];

export interface Actor {
  /** The actor's row in its list. */
  row: string;
  name: string;
  code: string | null;
  aliases: string[];
  country: string | null;
}

/** What a value's part matched: the actor, and whether by its name or by an alias. */
export interface ActorMatch {
  actor: Actor;
  /** The name or alias matched, as the list spells it. */
  matched: string;
  alias: boolean;
}

/** Where an actor is named in a text: UTF-16 offsets of the name or alias found. */
export interface ActorMention {
  actor: Actor;
  matched: string;
  start: number;
  end: number;
}

/** Text compared ignoring case and runs of white space. */
export const actorKey = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** The parts of an actor cell: a compound actor's parts are joined with `;`. */
export function actorParts(value: string): string[] {
  return value.split(';').map((part) => part.trim()).filter((part) => part !== '');
}

const str = (value: CellValue | undefined): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/** An actor from a list row's cells, or null when the row has no name. */
export function actorFromCells(row: string, cells: Readonly<Record<string, CellValue | undefined>>): Actor | null {
  const name = str(cells[ACTOR_COLUMNS.name]);
  if (name === null) return null;
  const raw = cells[ACTOR_COLUMNS.aliases];
  // Aliases as a list; text (a list column changed to text, an import) is split like a multi.
  const listed = Array.isArray(raw) ? raw.filter((a): a is string => typeof a === 'string') : typeof raw === 'string' ? raw.split(';') : [];
  const aliases = [...new Set(listed.map((a) => a.trim()).filter((a) => a !== '' && actorKey(a) !== actorKey(name)))];
  return { row, name, code: str(cells[ACTOR_COLUMNS.code]), aliases, country: str(cells[ACTOR_COLUMNS.country]) };
}

/** Letters of scripts written without spaces between words: a name in them is found anywhere. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/u;
const WORD = /[\p{L}\p{N}]/u;

/** One actor list, indexed by every name and alias. */
export class ActorList {
  private readonly byKey = new Map<string, ActorMatch>();
  /** Names and aliases, longest first (a longer mention wins over one inside it). */
  private readonly spellings: Array<{ actor: Actor; text: string; caseSensitive: boolean }> = [];

  constructor(readonly actors: readonly Actor[]) {
    // Names before aliases: a name another actor uses as an alias still names its own actor.
    for (const actor of actors) this.index(actor, actor.name, false);
    for (const actor of actors) for (const alias of actor.aliases) this.index(actor, alias, true);
    this.spellings.sort((a, b) => b.text.length - a.text.length);
  }

  /** The actor a name or alias names (ignoring case), or undefined. */
  find(text: string): ActorMatch | undefined {
    return this.byKey.get(actorKey(text));
  }

  /** Whether every part of a cell's value names an actor of the list. */
  names(value: string): boolean {
    const parts = actorParts(value);
    return parts.length > 0 && parts.every((part) => this.byKey.has(actorKey(part)));
  }

  /** A cell's value with each part that names an actor by an alias or in another case written as the actor's name. */
  canonical(value: string): string {
    return actorParts(value).map((part) => this.find(part)?.actor.name ?? part).join('; ');
  }

  /**
   * Actors whose name or an alias begins with `typed`, then those where it begins a word, then those where
   * it occurs anywhere; at each of these a name before an alias, then by name. Each actor once, by its best
   * spelling: what an editor offers as a coder types.
   */
  suggest(typed: string, limit = 50): ActorMatch[] {
    const needle = actorKey(typed);
    const ranked: Array<{ match: ActorMatch; rank: number; order: number }> = [];
    this.actors.forEach((actor, order) => {
      let best: { match: ActorMatch; rank: number } | undefined;
      for (const [text, alias] of [[actor.name, false], ...actor.aliases.map((a) => [a, true] as const)] as const) {
        const key = actorKey(text);
        const at = needle === '' ? 0 : key.indexOf(needle);
        if (at < 0) continue;
        const start = at === 0 ? 0 : WORD.test(key.charAt(at - 1)) ? 4 : 2;
        const rank = start + (alias ? 1 : 0);
        if (!best || rank < best.rank) best = { match: { actor, matched: text, alias }, rank };
      }
      if (best) ranked.push({ ...best, order });
    });
    return ranked.sort((a, b) => a.rank - b.rank || a.match.actor.name.localeCompare(b.match.actor.name) || a.order - b.order)
      .slice(0, limit).map((r) => r.match);
  }

  /**
   * The actors a text names, in the order they are first mentioned. Names and aliases match whole words
   * (anywhere in scripts written without spaces); one in capitals only (`US`) matches in capitals only,
   * others in any case. A mention inside a longer one of another actor does not count ("North Korea" in
   * "North Korea’s legislature").
   */
  mentionedIn(text: string): ActorMention[] {
    const lower = text.toLocaleLowerCase();
    const taken: Array<[number, number]> = [];
    const found: ActorMention[] = [];
    for (const { actor, text: spelling, caseSensitive } of this.spellings) {
      const haystack = caseSensitive ? text : lower;
      const needle = caseSensitive ? spelling : spelling.toLocaleLowerCase();
      for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
        const end = at + needle.length;
        if (!wholeWord(text, at, end) || taken.some(([s, e]) => at < e && end > s)) continue;
        taken.push([at, end]);
        found.push({ actor, matched: text.slice(at, end), start: at, end });
      }
    }
    found.sort((a, b) => a.start - b.start);
    const first = new Map<Actor, ActorMention>();
    for (const mention of found) if (!first.has(mention.actor)) first.set(mention.actor, mention);
    return [...first.values()];
  }

  private index(actor: Actor, text: string, alias: boolean): void {
    const key = actorKey(text);
    if (key === '') return;
    if (!this.byKey.has(key)) this.byKey.set(key, { actor, matched: text, alias });
    this.spellings.push({ actor, text, caseSensitive: /\p{Lu}/u.test(text) && !/\p{Ll}/u.test(text) });
  }
}

/** Whether `text[start, end)` stands as whole words: no letter or digit joins it on either side, unless that side is in an unspaced script. */
function wholeWord(text: string, start: number, end: number): boolean {
  const before = start > 0 ? String.fromCodePoint(text.codePointAt(start - 1)!) : '';
  const after = end < text.length ? String.fromCodePoint(text.codePointAt(end)!) : '';
  const first = String.fromCodePoint(text.codePointAt(start)!);
  const last = text.slice(Math.max(start, end - 2), end);
  const open = (edge: string, inside: string) => edge === '' || !WORD.test(edge) || UNSPACED.test(edge) || UNSPACED.test(inside);
  return open(before, first) && open(after, last);
}

/** The actor list held by a sheet of a document (an empty list when there is no such sheet). */
export function readActorList(doc: Y.Doc, sheetId: string): ActorList {
  const sheet = getSheet(doc, sheetId);
  const rows = sheet?.get('rows');
  if (!(rows instanceof Y.Map)) return new ActorList([]);
  const actors: Actor[] = [];
  for (const [id, yrow] of sheetRows(sheet!)) {
    if (!(yrow instanceof Y.Map)) continue;
    const actor = actorFromCells(id, readRow(yrow));
    if (actor) actors.push(actor);
  }
  actors.sort((a, b) => (a.row < b.row ? -1 : a.row > b.row ? 1 : 0));
  return new ActorList(actors);
}

/** The ids of the sheets that columns name as actor lists. */
export function actorListsOf(columns: readonly Column[]): string[] {
  return [...new Set(columns.flatMap((c) => (c.actors !== undefined ? [c.actors] : [])))];
}

/** Whether a sheet looks like an actor list: it has a `name` column. */
export function isActorListSheet(doc: Y.Doc, sheetId: string): boolean {
  const sheet = getSheet(doc, sheetId);
  return sheet !== undefined && readColumns(sheet).some((c) => c.id === ACTOR_COLUMNS.name);
}
