/** Sheets added, renamed, reordered and deleted over the API, and the whole-dataset zip export (in-process). */
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { getSheet, insertRow, orderedSheetIds, sheetName } from '../../model/document';
import { newRowId } from '../../model/ids';
import { buildApp, type App } from '../helpers/app';

const DATASET = 'shape';

describe('sheets of a dataset', () => {
  let app: App;
  let editor: { token: string };
  const doc = <T>(read: (doc: import('yjs').Doc) => T) => app.services.registry.with(DATASET, (shared) => shared.read(read));
  const detailSheets = async () => {
    const { status, body } = await app.call(`/api/datasets/${DATASET}`);
    expect(status).toBe(200);
    return body.sheets as Array<{ id: string; name: string; columns: unknown[]; rowCount: number }>;
  };

  beforeAll(async () => {
    app = await buildApp();
    editor = await app.user('Ed Editor', 'editor');
    expect((await app.call('/api/datasets', { body: { id: DATASET, name: 'Shape', template: 'events-statements' } })).status).toBe(201);
  });
  afterAll(() => app.close());

  it('adds a sheet as the last tab, with its columns, in the document and the API alike', async () => {
    const columns = [{ id: 'actor', name: 'Actor', type: 'text' }, { id: 'count', name: 'Count', type: 'integer' }];
    const { status, body } = await app.call(`/api/datasets/${DATASET}/sheets`, { body: { id: 'actors', name: 'Actors', columns } });
    expect(status, JSON.stringify(body)).toBe(201);
    expect(body).toEqual({ id: 'actors', name: 'Actors', columns, rowCount: 0 });
    expect((await detailSheets()).map((s) => s.id)).toEqual(['events', 'statements', 'actors']);
    expect((await detailSheets()).at(-1)).toEqual({ id: 'actors', name: 'Actors', columns, rowCount: 0 });
    expect(await doc(orderedSheetIds)).toEqual(['events', 'statements', 'actors']);

    // Without an id, one is made from the name.
    const made = await app.call(`/api/datasets/${DATASET}/sheets`, { body: { name: 'Sources 2024' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: 'sources_2024', name: 'Sources 2024', columns: [] });
  });

  it('refuses a taken id (409), bad ids and columns (400), and anyone but an admin (403)', async () => {
    expect((await app.call(`/api/datasets/${DATASET}/sheets`, { body: { id: 'events', name: 'Again' } })).status).toBe(409);
    expect((await app.call(`/api/datasets/${DATASET}/sheets`, { body: { id: 'Bad Id', name: 'x' } })).status).toBe(400);
    expect((await app.call(`/api/datasets/${DATASET}/sheets`, {
      body: { name: 'x', columns: [{ id: 'row_id', name: 'Row', type: 'text' }] },
    })).status).toBe(400);
    expect((await app.call(`/api/datasets/${DATASET}/sheets`, {
      body: { name: 'x', columns: [{ id: 'a', name: 'A', type: 'text' }, { id: 'a', name: 'A again', type: 'text' }] },
    })).status).toBe(400);
    expect((await app.call(`/api/datasets/${DATASET}/sheets`, { body: { name: 'Mine' }, token: editor.token })).status).toBe(403);
    expect((await app.call(`/api/datasets/${DATASET}/sheets/events`, { method: 'PATCH', body: { name: 'X' }, token: editor.token })).status).toBe(403);
    expect((await app.call(`/api/datasets/${DATASET}/sheets/events`, { method: 'DELETE', token: editor.token })).status).toBe(403);
    expect((await detailSheets()).map((s) => s.id)).toEqual(['events', 'statements', 'actors', 'sources_2024']);
  });

  it('renames a sheet, recorded in the history', async () => {
    const { status, body } = await app.call(`/api/datasets/${DATASET}/sheets/actors`, { method: 'PATCH', body: { name: 'Actors and groups' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'actors', name: 'Actors and groups' });
    expect((await detailSheets()).find((s) => s.id === 'actors')?.name).toBe('Actors and groups');
    expect(await doc((d) => sheetName(getSheet(d, 'actors')!))).toBe('Actors and groups');
    const history = (await app.call(`/api/datasets/${DATASET}/history`)).body as Array<Record<string, unknown>>;
    expect(history).toContainEqual(expect.objectContaining({ sheet: 'actors', row: '', column: 'sheet', old: 'Actors', new: 'Actors and groups', by: 'admin' }));
    expect((await app.call(`/api/datasets/${DATASET}/sheets/nope`, { method: 'PATCH', body: { name: 'x' } })).status).toBe(404);
  });

  it('moves a sheet: the document, the API and the tabs follow one order', async () => {
    expect((await app.call(`/api/datasets/${DATASET}/sheets/actors`, { method: 'PATCH', body: { position: 0 } })).status).toBe(200);
    const order = ['actors', 'events', 'statements', 'sources_2024'];
    expect((await detailSheets()).map((s) => s.id)).toEqual(order);
    expect(await doc(orderedSheetIds)).toEqual(order);

    // Past the end is the last place.
    expect((await app.call(`/api/datasets/${DATASET}/sheets/events`, { method: 'PATCH', body: { position: 99 } })).status).toBe(200);
    expect((await detailSheets()).map((s) => s.id)).toEqual(['actors', 'statements', 'sources_2024', 'events']);
    expect(await doc(orderedSheetIds)).toEqual(['actors', 'statements', 'sources_2024', 'events']);
    expect((await app.call(`/api/datasets/${DATASET}/sheets/events`, { method: 'PATCH', body: { position: -1 } })).status).toBe(400);
  });

  it('deletes a sheet: it leaves the document, its rows stay in the history as deleted cells, the deletion is recorded', async () => {
    const rows: Array<[string, Record<string, CellValue>]> = [
      [newRowId(), { actor: 'Seoul govt', count: 3 }],
      [newRowId(), { actor: 'Tokyo govt' }],
    ];
    await app.services.registry.with(DATASET, (shared) => shared.transact({ userId: null }, (d) => {
      for (const [id, values] of rows) insertRow(getSheet(d, 'actors')!, id, values);
    }));
    expect((await detailSheets()).find((s) => s.id === 'actors')?.rowCount).toBe(2);

    const { status, body } = await app.call(`/api/datasets/${DATASET}/sheets/actors`, { method: 'DELETE' });
    expect(status).toBe(200);
    expect(body).toEqual({ id: 'actors', name: 'Actors and groups', rowCount: 2 });
    expect((await detailSheets()).map((s) => s.id)).toEqual(['statements', 'sources_2024', 'events']);
    expect(await doc((d) => getSheet(d, 'actors'))).toBeUndefined();
    expect((await app.call(`/api/datasets/${DATASET}/sheets/actors/export`)).status).toBe(404);

    for (const [id, values] of rows) {
      const history = (await app.call(`/api/datasets/${DATASET}/history?row=${id}`)).body as Array<Record<string, unknown>>;
      for (const [column, value] of Object.entries(values)) {
        expect(history).toContainEqual(expect.objectContaining({ sheet: 'actors', row: id, column, old: null, new: value }));
        expect(history).toContainEqual(expect.objectContaining({ sheet: 'actors', row: id, column, old: value, new: null, by: 'admin' }));
      }
    }
    const all = (await app.call(`/api/datasets/${DATASET}/history`)).body as Array<Record<string, unknown>>;
    const deletion = all.find((h) => h.sheet === 'actors' && h.column === 'sheet' && h.new === null);
    expect(deletion).toMatchObject({ row: '', old: 'Actors and groups', by: 'admin' });
    expect(Date.now() - Date.parse(deletion!.at as string)).toBeLessThan(60_000);
    expect((await app.call(`/api/datasets/${DATASET}/sheets/actors`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('whole-dataset export', () => {
  let app: App;
  beforeAll(async () => { app = await buildApp(); });
  afterAll(() => app.close());

  async function bytes(path: string): Promise<{ status: number; type: string | null; disposition: string | null; body: Uint8Array }> {
    const res = await app.app.request(path, { headers: { authorization: `Bearer ${app.adminToken}` } });
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: new Uint8Array(await res.arrayBuffer()) };
  }
  const text = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
  const withoutTime = (json: string) => ({ ...JSON.parse(json), exportedAt: undefined });

  it.each([
    ['csv', 'all', ''],
    ['csv', 'approved', '&excel_safe=0'],
    ['csv', 'unflagged', '&bom=1'],
    ['json', 'all', ''],
    ['json', 'flagged', ''],
  ])('zips one %s file per sheet (%s rows%s), each what the sheet export gives', async (format, rows, extra) => {
    const zip = await bytes(`/api/datasets/demo/export.zip?format=${format}&rows=${rows}${extra}`);
    expect(zip.status).toBe(200);
    expect(zip.type).toBe('application/zip');
    expect(zip.disposition).toContain('.zip');
    const files = unzipSync(zip.body);
    const suffix = rows === 'all' ? '' : `-${rows}`;
    // Every sheet of the demo, its actor list included, in tab order.
    const sheets = ['events', 'statements', 'actors'];
    expect(Object.keys(files)).toEqual(sheets.map((sheet) => `demo-${sheet}${suffix}.${format}`));
    for (const sheet of sheets) {
      const alone = await bytes(`/api/datasets/demo/sheets/${sheet}/export?format=${format}&rows=${rows}${extra}`);
      const inZip = files[`demo-${sheet}${suffix}.${format}`]!;
      if (format === 'csv') expect(text(inZip)).toBe(text(alone.body));
      else expect(withoutTime(text(inZip))).toEqual(withoutTime(text(alone.body)));
    }
    // The demo's events are in the zip (not just headers).
    if (rows === 'all') expect(text(files[`demo-events.${format}`]!).length).toBeGreaterThan(1000);
  });

  it('answers a bad format or row filter with 400 and an unknown dataset with 404', async () => {
    expect((await bytes('/api/datasets/demo/export.zip?format=xlsx')).status).toBe(400);
    expect((await bytes('/api/datasets/demo/export.zip?rows=some')).status).toBe(400);
    expect((await bytes('/api/datasets/nope/export.zip')).status).toBe(404);
  });
});
