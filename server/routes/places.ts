/**
 * `GET /api/places`: the gazetteer's places matching a name, best first; and `GET …/sheets/:sheetId/points`:
 * a sheet's rows as the map reads them, a page at a time, searched and filtered as the rows are
 * (docs/places.md).
 */
import { Hono } from 'hono';
import type { Column } from '../../model/columns';
import { PlacesQuery } from '../../model/places-http';
import { isPlace } from '../../model/places';
import type { AuthEnv } from '../auth/middleware';
import type { Services } from '../context';
import { badRequest, notFound } from '../errors';
import { searchPlaces } from '../places/search';
import type { DatasetEnv } from './dataset-scope';
import { parseQuery } from './rows';

export function placeRoutes() {
  return new Hono<AuthEnv>().get('/', async (c) => {
    const parsed = PlacesQuery.safeParse(c.req.query());
    if (!parsed.success) throw badRequest(parsed.error.issues[0]!.message);
    const { q, country, limit } = parsed.data;
    if (q.trim() === '') return c.json([]);
    return c.json(await searchPlaces(q, { country, limit }));
  });
}

/** Rows one page of points holds at most, and when the query does not say. */
export const POINTS_PAGE_LIMIT = 5000;
const DEFAULT_POINTS = 2000;

/** One row as the map reads it: its place's coordinates (null without both), the place's name, its date and its code. */
export interface SheetPoint {
  row_id: string;
  lat: number | null;
  lon: number | null;
  name: string | null;
  date: string | null;
  code: string | null;
}

/** The sheet's place and date columns: the template's by id, else the first of the type. */
function pick(columns: readonly Column[], id: string, type: Column['type']): Column | undefined {
  return columns.find((c) => c.id === id && c.type === type) ?? columns.find((c) => c.type === type);
}

export function sheetPointRoutes({ storage }: Services) {
  return new Hono<DatasetEnv>().get('/sheets/:sheetId/points', async (c) => {
    const { id } = c.get('dataset');
    const sheetId = c.req.param('sheetId');
    const columns = await storage.datasets.sheetColumns(id, sheetId);
    if (!columns) throw notFound(`No sheet "${sheetId}" in dataset "${id}"`);
    const params = new URL(c.req.url).searchParams;
    const rawLimit = params.get('limit');
    if (rawLimit !== null && rawLimit !== '' && !/^\d{1,9}$/.test(rawLimit)) throw badRequest(`"limit" must be a whole number of rows (got "${rawLimit}")`);
    const limit = Math.min(rawLimit ? Number(rawLimit) : DEFAULT_POINTS, POINTS_PAGE_LIMIT);
    params.delete('limit');
    params.delete('sort');
    const colour = params.get('colour');
    params.delete('colour');
    const codeColumn = colour ? columns.find((col) => col.id === colour && col.type === 'enum') : undefined;
    if (colour && !codeColumn) throw badRequest(`Cannot colour by "${colour}": the sheet has no such code column`);
    const query = { ...parseQuery(params, columns), limit };
    const place = pick(columns, 'place', 'place');
    const date = pick(columns, 'event_date', 'date');
    const page = await storage.readModel.rowsPage(id, sheetId, columns, query);
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    return c.json({
      total: page.total,
      offset: query.offset,
      columns: { place: place?.id ?? null, date: date?.id ?? null, colour: codeColumn?.id ?? null },
      points: page.rows.map(({ rowId, cells }): SheetPoint => {
        const p = place ? cells[place.id] : undefined;
        const placed = isPlace(p) && p.lat !== null && p.lon !== null;
        return {
          row_id: rowId,
          lat: placed ? p.lat : null,
          lon: placed ? p.lon : null,
          name: isPlace(p) ? p.name : null,
          date: date ? text(cells[date.id]) : null,
          code: codeColumn ? text(cells[codeColumn.id]) : null,
        };
      }),
    });
  });
}
