/**
 * The map's country outlines: Natural Earth's 1:110m countries (public domain), as the `world-atlas`
 * package ships them in TopoJSON, decoded with `topojson-client`. Loaded with the map, not with the
 * sheet: nothing is fetched from anywhere else.
 */
import type { GeometryCollection, Topology } from 'topojson-specification';
import { feature } from 'topojson-client';
import world from 'world-atlas/countries-110m.json';
import { unwrapRing } from './points';

/** Path coordinates are world coordinates (0–1) times this, so that one decimal keeps them exact enough. */
export const OUTLINE_SCALE = 1000;

/** Every country's outline as one SVG path, in world coordinates × OUTLINE_SCALE (Web Mercator). */
export function countryOutlines(): string {
  const topology = world as unknown as Topology<{ countries: GeometryCollection }>;
  const countries = feature(topology, topology.objects.countries);
  const parts: string[] = [];
  for (const country of countries.features) {
    const geometry = country.geometry;
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates]
      : geometry.type === 'MultiPolygon' ? geometry.coordinates : [];
    for (const polygon of polygons) {
      for (const ring of polygon) {
        const points = unwrapRing(ring);
        if (points.length < 3) continue;
        parts.push(`M${points.map(([x, y]) => `${(x * OUTLINE_SCALE).toFixed(1)} ${(y * OUTLINE_SCALE).toFixed(1)}`).join('L')}Z`);
      }
    }
  }
  return parts.join('');
}
