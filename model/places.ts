/**
 * The `place` column type (docs/places.md): a location geocoded from the gazetteer, its
 * name, country, coordinates, how precisely the source places it, and the GeoNames id it was picked from.
 * Pure checks and conversions, used by the grid, the server's checks, exports and imports alike.
 */
import { isCountryCode } from './countries';

/**
 * How precisely the source locates what happened, as in ACLED's and UCDP GED's geo-precision codes:
 * 1 the town or city named, 2 near a named place or within its district, 3 only a region or province,
 * 4 only the country.
 */
export const PLACE_PRECISIONS = [1, 2, 3, 4] as const;
export type PlacePrecision = (typeof PLACE_PRECISIONS)[number];

/** What each precision code means, for the codebook and the picker. */
export const PRECISION_LABELS: Record<PlacePrecision, string> = {
  1: 'the town or city named',
  2: 'near a named place, or within its district',
  3: 'only a region or province',
  4: 'only the country',
};

export interface Place {
  name: string;
  /** ISO 3166-1 alpha-3, or null when unknown. */
  country: string | null;
  lat: number | null;
  lon: number | null;
  precision: PlacePrecision;
  /** The GeoNames id of the gazetteer entry it was picked from, or null when typed. */
  geonameid: number | null;
}

/** The keys of a place, in the order exports write them after the name. */
export const PLACE_KEYS = ['name', 'country', 'lat', 'lon', 'precision', 'geonameid'] as const;
const SORTED_KEYS = [...PLACE_KEYS].sort().join();

/** The parts a CSV export writes a place column `C` as: `C` (the name), then `C_country`, … `C_geonameid`. */
export const PLACE_PARTS = ['country', 'lat', 'lon', 'precision', 'geonameid'] as const;
export type PlacePart = (typeof PLACE_PARTS)[number];

const isNumberOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v));

/**
 * True for a value shaped as a place: exactly its six keys with their JSON types (a string name, a
 * country string or null, finite numbers or null, a precision 1–4, an integer id or null). Whether
 * those values make sense (coordinates on the globe, a known country) is `placeProblem`'s question:
 * such a value is stored and marked, not refused.
 */
export function isPlace(value: unknown): value is Place {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  if (Object.keys(value).sort().join() !== SORTED_KEYS) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string'
    && (v.country === null || typeof v.country === 'string')
    && isNumberOrNull(v.lat) && isNumberOrNull(v.lon)
    && (PLACE_PRECISIONS as readonly unknown[]).includes(v.precision)
    && (v.geonameid === null || Number.isSafeInteger(v.geonameid));
}

/**
 * What is wrong with a place, or null: coordinates off the globe (or only one of them), a country that
 * is no ISO 3166-1 alpha-3 code, or precision 1–2 (a named place) without coordinates.
 */
export function placeProblem(place: Place): string | null {
  if (place.lat !== null && Math.abs(place.lat) > 90) return `latitude ${place.lat} is outside −90 to 90`;
  if (place.lon !== null && Math.abs(place.lon) > 180) return `longitude ${place.lon} is outside −180 to 180`;
  if ((place.lat === null) !== (place.lon === null)) return 'it has a latitude or a longitude but not both';
  if (place.country !== null && !isCountryCode(place.country)) return `"${place.country}" is not an ISO 3166-1 alpha-3 country code`;
  if (place.precision <= 2 && place.lat === null) return `precision ${place.precision} (${PRECISION_LABELS[place.precision]}) needs coordinates: pick it from the gazetteer`;
  return null;
}

/** A place known only by a name, as typed or pasted: marked until someone picks it from the gazetteer. */
export function namedPlace(name: string): Place {
  return { name, country: null, lat: null, lon: null, precision: 1, geonameid: null };
}

/** The export's column ids for a place column: its own id (the name), then one per part. */
export function placeColumnIds(columnId: string): string[] {
  return [columnId, ...PLACE_PARTS.map((part) => `${columnId}_${part}`)];
}

/** The values of a place in the order of `placeColumnIds`. */
export function placeFields(place: Place): Array<string | number | null> {
  return [place.name, place.country, place.lat, place.lon, place.precision, place.geonameid];
}

/**
 * Which part of which place column a header id names (`place_lat` → the `lat` of column `place`), among
 * the given place column ids; null when it names none.
 */
export function placePartOf(header: string, placeColumnIdList: Iterable<string>): { column: string; part: PlacePart } | null {
  for (const column of placeColumnIdList) {
    if (!header.startsWith(`${column}_`)) continue;
    const part = header.slice(column.length + 1) as PlacePart;
    if ((PLACE_PARTS as readonly string[]).includes(part)) return { column, part };
  }
  return null;
}
