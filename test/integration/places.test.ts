/**
 * Places (docs/places.md), against the real server: the gazetteer behind `GET /api/places`, and a
 * `place` column through the CSV and JSON exports, imports of either form, problems and a release.
 */
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, Column } from '../../model/columns';
import { columnToYMap, deleteRow, insertRow, sheetColumns, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import type { Place } from '../../model/places';
import type { PlaceMatch } from '../../model/places-http';
import { createDataset, exportSheet, rowCount } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';

let server: RunningServer;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server?.dispose();
});

const places = async (query: string, token: string | null = server.adminToken) => {
  const res = await api(server, `/api/places?${query}`, { token });
  return { status: res.status, body: res.body as PlaceMatch[] & { error?: { code: string; message: string } } };
};
const found = async (query: string) => {
  const { status, body } = await places(query);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};

describe('GET /api/places', () => {
  it('answers 401 in the error envelope to someone not signed in', async () => {
    const { status, body } = await places('q=Seoul', null);
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: 'unauthorized' });
  });

  it('finds Seoul, Pyongyang and São Paulo by ASCII and native spellings, the city first', async () => {
    const [seoul] = await found('q=Seoul');
    expect(seoul).toMatchObject({ geonameid: 1835848, name: 'Seoul', country: 'KOR', admin1: 'Seoul', kind: 'city', lat: 37.566, lon: 126.9784 });
    expect(seoul!.population).toBeGreaterThan(9_000_000);
    expect((await found('q=pyongyang'))[0]).toMatchObject({ geonameid: 1871859, name: 'Pyongyang', country: 'PRK', kind: 'city' });
    for (const q of ['Sao Paulo', 'São Paulo', 'sao-paulo', 'SÃO PAULO']) {
      expect((await found(`q=${encodeURIComponent(q)}`))[0], q).toMatchObject({ geonameid: 3448439, name: 'São Paulo', asciiName: 'Sao Paulo', country: 'BRA' });
    }
    // Other names of larger places, in other scripts too.
    expect((await found(`q=${encodeURIComponent('서울')}`))[0]).toMatchObject({ geonameid: 1835848 });
    expect((await found('q=Peking'))[0]).toMatchObject({ name: 'Beijing', country: 'CHN' });
  });

  it('puts names equal to the query before names that start with it, and larger places first among equals', async () => {
    const named = (await found('q=Paris&limit=100')).filter((p) => p.kind === 'city' && p.name.toLowerCase().startsWith('paris'));
    const exact = named.filter((p) => p.name === 'Paris');
    expect(exact.length).toBeGreaterThan(3);
    expect(named.length).toBeGreaterThan(exact.length);
    expect(named.slice(0, exact.length)).toEqual(exact);
    expect(exact[0]).toMatchObject({ country: 'FRA' });
    const populations = exact.map((p) => p.population!);
    expect(populations).toEqual([...populations].sort((a, b) => b - a));
    // A word inside a name is found too, after the names that start with the query.
    expect((await found('q=Janeiro'))[0]).toMatchObject({ geonameid: 3451190, name: 'Rio de Janeiro' });
  });

  it('narrows to a country, and answers as many as asked', async () => {
    const rio = await found('q=Rio&country=BRA');
    expect(rio[0]).toMatchObject({ geonameid: 3451190, name: 'Rio de Janeiro', lat: -22.90642, lon: -43.18223 });
    expect(rio.every((p) => p.country === 'BRA')).toBe(true);
    expect(await found('q=Rio&country=bra')).toEqual(rio);
    expect(await found('q=Seoul&country=PRK')).toEqual([]);
    expect(await found('q=San&limit=3')).toHaveLength(3);
    expect(await found('q=San')).toHaveLength(20);
    expect(await found('q=%20')).toEqual([]);
    expect(await found('country=KOR')).toEqual([]);
  });

  it('refuses a country that is no alpha-3 code, and a limit out of 1–100, with the error envelope', async () => {
    for (const query of ['q=Seoul&country=KR', 'q=Seoul&country=XYZ', 'q=Seoul&limit=0', 'q=Seoul&limit=101', 'q=Seoul&limit=ten', `q=${'a'.repeat(201)}`]) {
      const { status, body } = await places(query);
      expect(status, query).toBe(400);
      expect(body.error, query).toMatchObject({ code: 'bad_request' });
    }
  });

  it('finds first-level regions and countries, placed at their seat and capital', async () => {
    const [region] = await found('q=Gyeonggi-do');
    expect(region).toMatchObject({ name: 'Gyeonggi-do', country: 'KOR', kind: 'admin1', geonameid: null, population: null });
    expect(region!.lat).not.toBeNull();
    expect((await found('q=North%20Korea'))[0]).toMatchObject({ name: 'North Korea', country: 'PRK', kind: 'country', lat: 39.03385, lon: 125.75432 });
    expect((await found('q=Republic%20of%20Korea'))[0]).toMatchObject({ name: 'South Korea', country: 'KOR', kind: 'country' });
  });

  it('holds the demo’s places as the gazetteer gives them', async () => {
    const rows = (await api(server, '/api/datasets/demo/sheets/events/export?format=json')).body.rows as Array<{ place: Place | null }>;
    const placed = rows.map((r) => r.place).filter((p): p is Place => p !== null);
    expect(placed.length).toBe(4);
    for (const place of placed) {
      const [first] = await found(`q=${encodeURIComponent(place.name)}&country=${place.country}`);
      expect({ lat: first!.lat, lon: first!.lon, geonameid: first!.geonameid, kind: first!.kind }, place.name)
        .toEqual({ lat: place.lat, lon: place.lon, geonameid: place.geonameid, kind: place.precision === 4 ? 'country' : 'city' });
    }
  });
});

describe('a place column', () => {
  const SEOUL: Place = { name: 'Seoul', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 1, geonameid: 1835848 };
  const REGION: Place = { name: 'Gyeonggi-do', country: 'KOR', lat: 37.29111, lon: 127.00889, precision: 3, geonameid: null };
  const NAMED: Place = { name: 'Panmunjom', country: null, lat: null, lon: null, precision: 1, geonameid: null };
  const COLUMN: Column = { id: 'place', name: 'Place', type: 'place' };
  const HEADER = ['row_id', 'notes', 'place', 'place_country', 'place_lat', 'place_lon', 'place_precision', 'place_geonameid'];
  let count = 0;

  /** A blank dataset with a place column after `notes`, and the rows given. */
  async function setUp(rows: Array<Record<string, CellValue>>) {
    const dataset = `places-${++count}`;
    await createDataset(server, dataset, 'blank');
    const client = await connectSynced(server, dataset);
    clients.push(client);
    const sheet = sheetOf(client.doc, 'sheet1');
    client.doc.transact(() => {
      sheetColumns(sheet).push([columnToYMap(COLUMN)]);
      for (const row of rows) insertRow(sheet, newRowId(), row);
    });
    await eventually(async () => expect(await rowCount(server, dataset, 'sheet1')).toBe(rows.length), { what: 'the rows stored' });
    return { dataset, client, sheet };
  }
  const records = (csv: string) => parse(csv, { bom: true }) as string[][];
  const jsonPlaces = async (dataset: string) =>
    ((await api(server, `/api/datasets/${dataset}/sheets/sheet1/export?format=json`)).body.rows as Array<{ notes: string; place: CellValue }>)
      .map((r) => [r.notes, r.place]);

  it('exports as the name and five more CSV columns, and as the object in JSON; imports either back', async () => {
    const rows: Array<Record<string, CellValue>> = [{ notes: 'city', place: SEOUL }, { notes: 'region', place: REGION }, { notes: 'none' }, { notes: 'named', place: NAMED }];
    const { dataset, client, sheet } = await setUp(rows);
    const csv = (await exportSheet(server, dataset, 'sheet1')).text;
    const [header, ...lines] = records(csv);
    expect(header!.slice(0, HEADER.length)).toEqual(HEADER);
    expect(lines.map((l) => l.slice(1, HEADER.length))).toEqual([
      ['city', 'Seoul', 'KOR', '37.566', '126.9784', '1', '1835848'],
      ['region', 'Gyeonggi-do', 'KOR', '37.29111', '127.00889', '3', ''],
      ['none', '', '', '', '', '', ''],
      ['named', 'Panmunjom', '', '', '', '1', ''],
    ]);
    const before = await jsonPlaces(dataset);
    expect(before).toEqual([['city', SEOUL], ['region', REGION], ['none', null], ['named', NAMED]]);

    // The grid's problems: a named place without coordinates is marked until it is picked.
    const problems = (await api(server, `/api/datasets/${dataset}/sheets/sheet1/problems`)).body as Array<{ row: string; column: string; code: string }>;
    expect(problems.map((p) => [p.column, p.code])).toEqual([['place', 'place']]);

    // Emptied, then the CSV imported back: the same places.
    client.doc.transact(() => { for (const id of [...sheetRows(sheet).keys()]) deleteRow(sheet, id); });
    await eventually(async () => expect(await rowCount(server, dataset, 'sheet1')).toBe(0), { what: 'the sheet emptied' });
    const imported = await importFile(server, dataset, 'sheet1', csv);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ inserted: 4, rejected: [] });
    expect(imported.body.warnings.map((w: { column: string; code: string }) => [w.column, w.code])).toEqual([['place', 'place']]);
    await eventually(async () => expect(await jsonPlaces(dataset)).toEqual(before), { what: 'the places imported' });
    const again = await importFile(server, dataset, 'sheet1', csv, { query: 'key=row_id' });
    expect(again.body).toMatchObject({ inserted: 0, updated: 0, unchanged: 4, rejected: [] });

    // One cell per place: the JSON export's object, or only a name.
    const oneCell = csvOf([['notes', 'place'], ['json', JSON.stringify(REGION)], ['name', 'Kaesong'], ['partial json', '{"name":"Busan","precision":3}']]);
    const single = await importFile(server, dataset, 'sheet1', oneCell);
    expect(single.status, JSON.stringify(single.body)).toBe(200);
    await eventually(async () => expect((await jsonPlaces(dataset)).slice(4)).toEqual([
      ['json', REGION],
      ['name', { name: 'Kaesong', country: null, lat: null, lon: null, precision: 1, geonameid: null }],
      ['partial json', { name: 'Busan', country: null, lat: null, lon: null, precision: 3, geonameid: null }],
    ]), { what: 'the one-cell places imported' });
  });

  it('refuses a place part that cannot be read, naming the line, and writes nothing', async () => {
    const { dataset } = await setUp([{ notes: 'kept', place: SEOUL }]);
    for (const [part, value] of [['place_lat', 'north'], ['place_precision', '5'], ['place_geonameid', '1.5']] as const) {
      const file = csvOf([['notes', 'place', part], ['bad', 'Seoul', value]]);
      const res = await importFile(server, dataset, 'sheet1', file);
      expect(res.status, part).toBe(422);
      expect(res.body.rejected, part).toEqual([expect.objectContaining({ line: 2, column: 'place', code: 'place', message: expect.stringContaining(part) })]);
    }
    const noName = await importFile(server, dataset, 'sheet1', csvOf([['notes', 'place', 'place_lat', 'place_lon'], ['bad', '', '1', '2']]));
    expect(noName.body.rejected).toEqual([expect.objectContaining({ line: 2, column: 'place', code: 'place' })]);
    const notPlace = await importFile(server, dataset, 'sheet1', csvOf([['notes', 'place'], ['bad', '{"name":"X","elevation":3}']]));
    expect(notPlace.body.rejected).toEqual([expect.objectContaining({ line: 2, column: 'place', code: 'place' })]);
    expect(await rowCount(server, dataset, 'sheet1')).toBe(1);
  });

  it('is typed in a release: the name a string, the parts numbers and integers, the precision codes in the codebook', async () => {
    const { dataset } = await setUp([{ notes: 'city', place: SEOUL }, { notes: 'region', place: REGION }, { notes: 'named', place: NAMED }]);
    const made = await api(server, `/api/datasets/${dataset}/releases`, { body: {} });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const zip = await fetch(`${server.url}/api/datasets/${dataset}/releases/${made.body.version}/package.zip`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const descriptor = JSON.parse(strFromU8(files['datapackage.json']!));
    const fields = descriptor.resources[0].schema.fields as Array<{ name: string; type: string; constraints?: object }>;
    expect(fields.map((f) => f.name).slice(0, HEADER.length)).toEqual(HEADER);
    expect(Object.fromEntries(fields.slice(2, HEADER.length).map((f) => [f.name, [f.type, f.constraints ?? null]]))).toEqual({
      place: ['string', null], place_country: ['string', null], place_lat: ['number', null], place_lon: ['number', null],
      place_precision: ['integer', { minimum: 1, maximum: 4 }], place_geonameid: ['integer', null],
    });
    const csv = records(strFromU8(files['data/sheet1.csv']!));
    expect(csv[1]!.slice(1, HEADER.length)).toEqual(['city', 'Seoul', 'KOR', '37.566', '126.9784', '1', '1835848']);
    const codebook = strFromU8(files['codebook.md']!);
    expect(codebook).toContain('Precision (`place_precision`)');
    expect(codebook).toMatch(/\| `1` \| the town or city named \| 2 \|/);
    expect(codebook).toMatch(/\| `3` \| only a region or province \| 1 \|/);
    expect(codebook).toMatch(/\| `4` \| only the country \| 0 \|/);
  });
});
