/** `GET /api/places`: the gazetteer's places matching a name, best first (docs/places.md). */
import { Hono } from 'hono';
import { PlacesQuery } from '../../model/places-http';
import type { AuthEnv } from '../auth/middleware';
import { badRequest } from '../errors';
import { searchPlaces } from '../places/search';

export function placeRoutes() {
  return new Hono<AuthEnv>().get('/', async (c) => {
    const parsed = PlacesQuery.safeParse(c.req.query());
    if (!parsed.success) throw badRequest(parsed.error.issues[0]!.message);
    const { q, country, limit } = parsed.data;
    if (q.trim() === '') return c.json([]);
    return c.json(await searchPlaces(q, { country, limit }));
  });
}
