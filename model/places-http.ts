/**
 * `GET /api/places` (docs/places.md), typed once: the query the server reads and the
 * answer the client gets.
 */
import { z } from 'zod';
import { isCountryCode } from './countries';

/** Most answers one search gives. */
export const MAX_PLACES = 100;
/** Longest query: longer ones are no place name. */
export const MAX_PLACE_QUERY = 200;

/** `?q=TEXT&country=ISO3&limit=20` */
export const PlacesQuery = z.object({
  q: z.string().max(MAX_PLACE_QUERY, `q is at most ${MAX_PLACE_QUERY} characters`).default(''),
  /** Only places in this country; empty is none. */
  country: z.preprocess((v) => (v === '' ? undefined : v),
    z.string().trim().toUpperCase().refine(isCountryCode, 'country must be an ISO 3166-1 alpha-3 code, such as KOR').optional()),
  limit: z.coerce.number().int('limit must be a whole number').min(1, 'limit is at least 1').max(MAX_PLACES, `limit is at most ${MAX_PLACES}`).default(20),
});
export type PlacesQuery = z.infer<typeof PlacesQuery>;

export const PLACE_KINDS = ['city', 'admin1', 'country'] as const;
export type PlaceKind = (typeof PLACE_KINDS)[number];

/** A gazetteer entry, best first in the answer. */
export const PlaceMatch = z.object({
  /** GeoNames id; null for regions and countries, whose ids the shipped tables do not carry. */
  geonameid: z.number().int().nullable(),
  name: z.string(),
  asciiName: z.string(),
  /** ISO 3166-1 alpha-3. */
  country: z.string().nullable(),
  /** The first-level region (state, province) a city lies in, by name. */
  admin1: z.string().nullable(),
  /** A city's own; a region's at its seat, a country's at its capital. */
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  /** GeoNames' population of a city; null for regions and countries (the shipped tables give none). */
  population: z.number().int().nullable(),
  kind: z.enum(PLACE_KINDS),
});
export type PlaceMatch = z.infer<typeof PlaceMatch>;

export const PlaceMatchList = z.array(PlaceMatch);
export type PlaceMatchList = z.infer<typeof PlaceMatchList>;
