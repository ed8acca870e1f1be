/**
 * `GET …/sheets/:sheetId/points` (docs/places.md#get-sheetssheetidpoints): a sheet's rows as the map reads them, by
 * pages, searched and filtered as the rows are, in both layouts; against the real server and its read model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';

interface Points {
  total: number;
  offset: number;
  columns: { place: string | null; date: string | null; colour: string | null };
  points: Array<{ row_id: string; lat: number | null; lon: number | null; name: string | null; date: string | null; code: string | null }>;
}

const HEADER = ['event_date', 'date_precision', 'actor1', 'event_type', 'summary', 'place', 'place_country', 'place_lat', 'place_lon', 'place_precision', 'place_geonameid'];
const RECORDS = [
  ['2024-02-05', 'day', 'Students', 'PROTEST', 'March in Seoul', 'Seoul', 'KOR', '37.566', '126.9784', '1', '1835848'],
  ['2024-03', 'month', 'Army', 'ASSAULT', 'Shelling near Busan', 'Busan', 'KOR', '35.10278', '129.04028', '2', '1838524'],
  ['2024-03-20', 'day', 'Workers', 'PROTEST', 'Rally, place not picked', 'Somewhere', '', '', '', '3', ''],
  ['', '', 'Farmers', '', 'No date, no place', '', '', '', '', '', ''],
];

describe('GET …/sheets/:sheetId/points', () => {
  let server: RunningServer;
  let viewer: string;

  const points = async (dataset: string, query: string, token = viewer) => {
    const response = await api(server, `/api/datasets/${dataset}/sheets/events/points?${query}`, { token });
    return { status: response.status, body: response.body as Points & { error?: { code: string; message: string } } };
  };

  beforeAll(async () => {
    server = await startServer();
    viewer = (await createUser(server, 'Map reader', 'viewer')).token;
    for (const layout of ['document', 'rows'] as const) {
      const created = await api(server, '/api/datasets', { body: { id: `points-${layout}`, name: `Points ${layout}`, template: 'events-statements', layout } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const imported = await importFile(server, `points-${layout}`, 'events', csvOf([HEADER, ...RECORDS]));
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    }
  });
  afterAll(async () => server?.dispose());

  for (const layout of ['document', 'rows'] as const) {
    it(`answers every row's coordinates, place name, date and code in row order (${layout} layout)`, async () => {
      const { status, body } = await points(`points-${layout}`, 'colour=event_type');
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.total).toBe(4);
      expect(body.columns).toEqual({ place: 'place', date: 'event_date', colour: 'event_type' });
      expect(body.points.map(({ row_id: _, ...p }) => p)).toEqual([
        { lat: 37.566, lon: 126.9784, name: 'Seoul', date: '2024-02-05', code: 'PROTEST' },
        { lat: 35.10278, lon: 129.04028, name: 'Busan', date: '2024-03', code: 'ASSAULT' },
        { lat: null, lon: null, name: 'Somewhere', date: '2024-03-20', code: 'PROTEST' },
        { lat: null, lon: null, name: null, date: null, code: null },
      ]);
    });
  }

  it('is searched and filtered as the rows are, and paged', async () => {
    const searched = (await points('points-rows', 'q=busan')).body;
    expect([searched.total, searched.points.map((p) => p.name)]).toEqual([1, ['Busan']]);
    const filtered = (await points('points-rows', 'filter[event_type]=PROTEST&filter[review_status]=unreviewed')).body;
    expect(filtered.points.map((p) => p.name)).toEqual(['Seoul', 'Somewhere']);
    const second = (await points('points-rows', 'offset=1&limit=2')).body;
    expect([second.total, second.offset, second.points.map((p) => p.name)]).toEqual([4, 1, ['Busan', 'Somewhere']]);
    // Without a colour, no codes.
    expect((await points('points-rows', 'limit=1')).body.points[0]!.code).toBeNull();
  });

  it('answers 400 for a colour that is no code column or a bad limit, 404 for no sheet, 401 signed out', async () => {
    expect((await points('points-rows', 'colour=summary')).status).toBe(400);
    expect((await points('points-rows', 'limit=ten')).status).toBe(400);
    expect((await points('points-rows', 'filter[nope]=x')).status).toBe(400);
    expect((await api(server, '/api/datasets/points-rows/sheets/nope/points', { token: viewer })).status).toBe(404);
    expect((await points('points-rows', '', null as unknown as string)).status).toBe(401);
  });
});
