/**
 * For the paged grid's browser tests: a dataset in the `rows` layout whose rows a stock client wrote
 * into their own rooms, and pages signed in on its events sheet.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type * as Y from 'yjs';
import { ACTOR_LIST_COLUMNS } from '../../model/actors';
import type { CellValue } from '../../model/columns';
import { getSheet } from '../../model/document';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { api, type Client, connectSynced } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import type { RunningServer } from '../helpers/server';
import { cell, signedIn, waitLive } from './browser';

export type PageRow = Record<string, CellValue> & { row_id: string };

/** Creates the dataset and writes `rows` (cells by column id) as `token`'s user; returns their ids in order. */
export async function rowsDataset(
  server: RunningServer, datasetId: string, token: string, rows: ReadonlyArray<Record<string, CellValue>>, clients: Client[],
): Promise<string[]> {
  expect((await api(server, '/api/datasets', { body: { id: datasetId, name: datasetId, layout: 'rows' } })).status).toBe(201);
  const ids = rows.map(() => newRowId());
  for (const [i, rowId] of ids.entries()) {
    const c = await connectSynced(server, rowRoom(datasetId, 'events', rowId), token);
    clients.push(c);
    c.doc.transact(() => {
      for (const [column, value] of Object.entries(rows[i]!)) getRowCells(c.doc).set(column, value);
    });
  }
  await eventually(async () => expect((await pageRows(server, datasetId)).length).toBe(rows.length));
  return ids;
}

/** The sheet's rows as the server pages them out. */
export async function pageRows(server: RunningServer, datasetId: string): Promise<PageRow[]> {
  return ((await api(server, `/api/datasets/${datasetId}/sheets/events/rows?limit=1000`)).body as { rows: PageRow[] }).rows;
}

/** A fresh profile signed in on the events sheet, once `firstRow` is shown and the tab is live. */
export async function pagedPage(
  browser: Browser, server: RunningServer, datasetId: string, token: string, firstRow: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await signedIn(browser, server.url, token, `/d/${datasetId}/events`);
  // The first page load of a profile builds the grid while other tests share the two cores: allow it longer.
  await cell(opened.page, firstRow, 'summary').waitFor({ timeout: 30_000 });
  await waitLive(opened.page);
  return opened;
}

/**
 * Gives a `rows` dataset an actor list (sheet `actors`, one row per actor, written as `token`'s user) and makes
 * the events' `actor1` column name it; resolves once the server has both.
 */
export async function actorList(
  server: RunningServer, datasetId: string, token: string, actors: ReadonlyArray<Record<string, CellValue>>, clients: Client[],
): Promise<void> {
  expect((await api(server, `/api/datasets/${datasetId}/sheets`, { body: { id: 'actors', name: 'Actors', columns: ACTOR_LIST_COLUMNS } })).status).toBe(201);
  for (const actor of actors) {
    const a = await connectSynced(server, rowRoom(datasetId, 'actors', newRowId()), token);
    clients.push(a);
    a.doc.transact(() => { for (const [k, v] of Object.entries(actor)) getRowCells(a.doc).set(k, v); });
  }
  const admin = await connectSynced(server, datasetId, server.adminToken);
  clients.push(admin);
  admin.doc.transact(() => {
    for (const column of getSheet(admin.doc, 'events')!.get('columns') as Y.Array<Y.Map<unknown>>) if (column.get('id') === 'actor1') column.set('actors', 'actors');
  });
  await eventually(async () => expect((await api(server, `/api/datasets/${datasetId}/sheets/actors/rows`)).body.total).toBe(actors.length));
  await eventually(async () => expect(((await api(server, `/api/datasets/${datasetId}`)).body.sheets as Array<{ id: string; columns: Array<{ id: string; actors?: string }> }>)
    .find((x) => x.id === 'events')!.columns.find((c) => c.id === 'actor1')!.actors).toBe('actors'));
}
