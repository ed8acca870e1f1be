/**
 * ISO 3166-1 country codes, from the i18n-iso-countries package (its code table only: a few kB, no
 * names, so the browser bundle stays small). Kosovo has no ISO code; the table gives it the
 * user-assigned XK / XKK that GeoNames and the EU use.
 */
import codes from 'i18n-iso-countries/codes.json' with { type: 'json' };

/** alpha-2 → alpha-3, e.g. KR → KOR. */
const ALPHA3_OF: ReadonlyMap<string, string> = new Map(codes.map(([alpha2, alpha3]) => [alpha2!, alpha3!]));
const ALPHA3: ReadonlySet<string> = new Set(ALPHA3_OF.values());

/** True for a known ISO 3166-1 alpha-3 code (upper case, as written in cells). */
export function isCountryCode(value: string): boolean {
  return ALPHA3.has(value);
}

/** The alpha-3 code of an alpha-2 code, or null when there is none. */
export function alpha3Of(alpha2: string): string | null {
  return ALPHA3_OF.get(alpha2) ?? null;
}
