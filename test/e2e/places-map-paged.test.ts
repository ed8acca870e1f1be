/**
 * The map of a sheet whose rows are documents of their own (layout `rows`, docs/places.md#the-map-and-the-timeline),
 * in real Chromium against the real server: the browser holds only the rows on screen, so the map reads the
 * sheet's points from the server, follows the grid's search, shows a place another user picks, and a point
 * focuses its row.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { newRowId } from '../../model/ids';
import type { Place } from '../../model/places';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { cell, waitLive } from './browser';
import { browserSuite } from './fixtures';

const DATASET = 'paged-map';
const SEOUL: Place = { name: 'Seoul', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 1, geonameid: 1835848 };
const BUSAN: Place = { name: 'Busan', country: 'KOR', lat: 35.10278, lon: 129.04028, precision: 1, geonameid: 1838524 };
const PYONGYANG: Place = { name: 'Pyongyang', country: 'PRK', lat: 39.03385, lon: 125.75432, precision: 1, geonameid: 1871859 };

const e2e = browserSuite();
let editor: CreatedUser;
let page: Page;
const rows = [newRowId(), newRowId(), newRowId()];

const rowClient = (rowId: string) => e2e.rowClient(DATASET, rowId, editor.token);

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Paz Paged', 'editor');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: 'Paged map', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
  const cells: Array<Record<string, CellValue>> = [
    { event_date: '2024-02-05', event_type: 'PROTEST', place: SEOUL, summary: 'Students march in Seoul.' },
    { event_date: '2024-03-12', event_type: 'ASSAULT', place: BUSAN, summary: 'Clash at the port.' },
    { event_date: '2024-03-20', event_type: 'PROTEST', summary: 'A rally.' },
  ];
  for (const [i, rowId] of rows.entries()) {
    const c = await rowClient(rowId);
    c.doc.transact(() => {
      for (const [k, v] of Object.entries(cells[i]!)) getRowCells(c.doc).set(k, v);
    });
  }
  await eventually(async () => expect((await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows`)).body.total).toBe(3));
  ({ page } = await e2e.signedIn(editor.token, `/d/${DATASET}/events`));
  await cell(page, rows[0]!, 'summary').waitFor();
  await waitLive(page);
});

describe('the map of a paged sheet', () => {
  it('reads the points from the server, follows the search and others’ edits, and a point focuses its row', async () => {
    await page.getByTestId('map-button').click();
    const map = page.getByTestId('map');
    const pointRows = async () => (await map.getByTestId('map-point').evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).sort();
    await expect.poll(pointRows).toEqual([rows[0], rows[1]].sort());
    expect(await page.getByTestId('map-summary').textContent()).toBe('2 rows on the map, 1 row without coordinates.');
    expect(await page.getByTestId('map-legend').textContent()).toBe('PROTEST 1ASSAULT 1');

    // Another user picks the third row's place: it shows on the map.
    const third = e2e.clients[2]!;
    third.doc.transact(() => getRowCells(third.doc).set('place', PYONGYANG));
    await expect.poll(pointRows).toEqual([...rows].sort());

    // The grid's search narrows the map.
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('port');
    await expect.poll(pointRows).toEqual([rows[1]]);
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('');
    await expect.poll(pointRows).toEqual([...rows].sort());

    // A point focuses its row.
    await map.locator(`[data-row="${rows[2]}"]`).click();
    await expect.poll(() => page.locator(`.ag-row[row-id="${rows[2]}"] .ag-cell-focus`).count()).toBe(1);
  });
});
