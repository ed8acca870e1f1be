/**
 * Conflicts in the paged grid (a sheet of the `rows` layout): two people change a cell without seeing
 * each other's change; both grids mark it, the footer counts the sheet's open conflicts and steps to
 * each, also to a row on no page read yet and in a sorted grid, and resolving it in one grid clears
 * both. A row's conflicts are kept in the row's own document: a grid learns of them from the list it
 * reads once synced, the row documents it opens and the row deltas.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getRowCells } from '../../model/row-document';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { waitFor } from '../helpers/wait';
import { cell, cellText, typeInto, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { pagedPage, pageRows } from './paged-setup';

const DATASET = 'paged-conflicts';
/** More rows than the first page (100) the grid reads: the last ones are on no page read. */
const ROWS = 300;
const e2e = browserSuite();
let ana: { page: Page; context: BrowserContext };
let ben: { page: Page; context: BrowserContext };
let tokens: { ana: string; ben: string };
let rows: string[];

type Listed = { id: string; row: string; column: string; kept: string; lost: string; status: string };
const openConflicts = async () => (await api(e2e.server, `/api/datasets/${DATASET}/conflicts?status=open`)).body as Listed[];
const hasMark = (page: Page, row: string, column: string) => cell(page, row, column).evaluate((el) => el.classList.contains('cell-conflict'));
const footer = (page: Page) => page.getByTestId('conflicts-footer');
const focusedRow = (page: Page) => page.evaluate(() => document.activeElement?.closest('.ag-row')?.getAttribute('row-id') ?? null);
const focusedColumn = (page: Page) => page.evaluate(() => document.activeElement?.closest('.ag-cell')?.getAttribute('col-id') ?? null);

/** Whether `on` keeps the row in this browser (its document was read from the server once it was opened). */
function keeps(on: Page, rowId: string): Promise<boolean> {
  return on.evaluate(async (row) => {
    const info = (await indexedDB.databases()).find((d) => d.name?.endsWith(':rows'));
    if (!info?.name) return false;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(info.name!);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const all = await new Promise<Array<{ row: string; cells: Record<string, unknown> | null }>>((resolve, reject) => {
      const request = db.transaction('rows').objectStore('rows').getAll();
      request.onsuccess = () => resolve(request.result as never);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return all.some((r) => r.row === row && r.cells !== null && r.cells.location !== undefined);
  }, rowId);
}

beforeAll(async () => {
  const [anaUser, benUser] = [await createUser(e2e.server, 'Ana Ruiz', 'editor'), await createUser(e2e.server, 'Ben Okafor', 'editor')];
  tokens = { ana: anaUser.token, ben: benUser.token };
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: DATASET, layout: 'rows' } })).status).toBe(201);
  const records = Array.from({ length: ROWS }, (_, i) => [`Event ${String(i + 1).padStart(3, '0')}`, 'Seoul']);
  expect((await importFile(e2e.server, DATASET, 'events', csvOf([['summary', 'location'], ...records]))).status).toBe(200);
  rows = (await pageRows(e2e.server, DATASET)).map((r) => r.row_id);
  expect(rows).toHaveLength(ROWS);
  ana = await pagedPage(e2e.browser, e2e.server, DATASET, tokens.ana, rows[0]!);
  ben = await pagedPage(e2e.browser, e2e.server, DATASET, tokens.ben, rows[0]!);
});

/** Two stock clients write one cell of a row while neither sees the other: a conflict, read by no grid. */
async function conflictFromClients(row: string, column: string): Promise<Listed> {
  const [a, b] = [await e2e.rowClient(DATASET, row, tokens.ana), await e2e.rowClient(DATASET, row, tokens.ben)];
  await waitFor(() => getRowCells(b.doc).get('summary') !== undefined, { what: 'the row is synced' });
  a.provider.disconnect();
  b.provider.disconnect();
  getRowCells(a.doc).set(column, 'From Ana');
  getRowCells(b.doc).set(column, 'From Ben');
  a.provider.connect();
  b.provider.connect();
  return (await waitFor(async () => (await openConflicts()).find((c) => c.row === row), { what: 'the conflict is listed' }))!;
}

describe('conflicts in the paged grid', () => {
  it('marks a cell two people changed at once in both grids, counts it, and resolving it in one clears both', async () => {
    const row = rows[1]!;
    // Ana has the row open before she goes offline: her change replaces the value she saw.
    await cell(ana.page, row, 'location').click();
    await expect.poll(() => keeps(ana.page, row)).toBe(true);
    await ana.context.setOffline(true);
    await expect.poll(() => ana.page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);

    await typeInto(ben.page, row, 'location', 'Tokyo');
    await expect.poll(async () => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === row)?.location).toBe('Tokyo');
    await typeInto(ana.page, row, 'location', 'Beijing');
    await ana.context.setOffline(false);

    const conflict = (await waitFor(async () => (await openConflicts()).find((c) => c.row === row), { what: 'the conflict is listed', timeoutMs: 20_000 }))!;
    expect(conflict.column).toBe('location');
    expect([conflict.kept, conflict.lost].sort()).toEqual(['Beijing', 'Tokyo']);
    for (const { page } of [ana, ben]) {
      await expect.poll(() => hasMark(page, row, 'location')).toBe(true);
      await expect.poll(() => cellText(page, row, 'location')).toBe(conflict.kept);
      await expect.poll(() => footer(page).textContent()).toContain('1 conflict');
      expect(await footer(page).isVisible()).toBe(true);
    }
    const names: Record<string, string> = { Beijing: 'Ana Ruiz', Tokyo: 'Ben Okafor' };
    // From another cell, so that the pointer enters this one (it is still where Ben typed).
    await cell(ben.page, rows[0]!, 'summary').hover();
    await cell(ben.page, row, 'location').hover();
    await expect.poll(() => cell(ben.page, row, 'location').getAttribute('title'))
      .toContain(`${names[conflict.lost]}'s value “${conflict.lost}” was replaced by ${names[conflict.kept]}'s value “${conflict.kept}”`);

    await cell(ben.page, row, 'location').click({ button: 'right' });
    await ben.page.locator('[data-testid=context-menu] [data-action=conflict-use-other]').click();
    for (const { page } of [ana, ben]) {
      await expect.poll(() => cellText(page, row, 'location')).toBe(conflict.lost);
      await expect.poll(() => hasMark(page, row, 'location')).toBe(false);
      await expect.poll(() => footer(page).isHidden()).toBe(true);
    }
    expect(await openConflicts()).toEqual([]);
  });

  it('steps to a conflict on a row no page read holds, in row order and in a sorted grid', async () => {
    const far = rows[ROWS - 20]!;
    const conflict = await conflictFromClients(far, 'actor1');
    const page = ana.page;
    await expect.poll(() => footer(page).textContent()).toContain('1 conflict');
    // The row is not in the grid yet: the grid asks the server where it stands.
    expect(await page.locator(`.ag-row[row-id="${far}"]`).count()).toBe(0);
    await cell(page, rows[0]!, 'summary').click();
    await page.getByTestId('conflict-next').click();
    await expect.poll(() => focusedRow(page), { timeout: 15_000 }).toBe(far);
    expect(await focusedColumn(page)).toBe('actor1');
    await expect.poll(() => hasMark(page, far, 'actor1')).toBe(true);
    await expect.poll(() => cellText(page, far, 'actor1')).toBe(conflict.kept);

    // Sorted by summary, newest first: the row is near the top now, wherever the row id order had it.
    await page.locator('.ag-header-cell[col-id=summary]').click();
    await page.locator('.ag-header-cell[col-id=summary]').click();
    await expect.poll(() => page.locator('.ag-header-cell[col-id=summary]').getAttribute('aria-sort')).toBe('descending');
    const sorted = (await pageRows(e2e.server, DATASET)).sort((a, b) => String(b.summary).localeCompare(String(a.summary))).map((r) => r.row_id);
    await page.locator('.ag-row[row-id] .ag-cell[col-id=summary]').first().click();
    await page.keyboard.press('Control+Home');
    await expect.poll(() => page.locator('.ag-row[row-index="0"]').first().getAttribute('row-id')).toBe(sorted[0]);
    await cell(page, sorted[0]!, 'summary').click();
    await page.getByTestId('conflict-next').click();
    await expect.poll(() => focusedRow(page), { timeout: 15_000 }).toBe(far);
    expect(Number(await page.locator(`.ag-row[row-id="${far}"]`).getAttribute('row-index'))).toBe(sorted.indexOf(far));
  });

  it('asks before a change typed offline into a row not read yet replaces what someone wrote meanwhile', async () => {
    const row = rows[2]!;
    const page = ana.page;
    const dialog = page.getByTestId('confirm-dialog');
    // In row order again, from the top.
    await page.reload();
    await cell(page, rows[0]!, 'summary').waitFor();
    await waitLive(page);
    for (const [keepMine, theirs, mine] of [[false, 'Tokyo', 'Beijing'], [true, 'Osaka', 'Busan']] as const) {
      expect(await keeps(page, row)).toBe(false);
      await ana.context.setOffline(true);
      await expect.poll(() => page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);
      await typeInto(ben.page, row, 'location', theirs);
      await expect.poll(async () => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === row)?.location).toBe(theirs);
      // Ana's grid still shows the value before Ben's; her row's document waits for the server.
      await typeInto(page, row, 'location', mine);
      await ana.context.setOffline(false);
      await expect.poll(() => dialog.locator('.dialog-message').textContent(), { timeout: 15_000 })
        .toBe(`Someone changed this to “${theirs}” before your change reached it. Keep yours?`);
      await dialog.getByRole('button', { name: keepMine ? 'Keep mine' : 'Cancel' }).click();
      const kept = keepMine ? mine : theirs;
      await expect.poll(async () => (await pageRows(e2e.server, DATASET)).find((r) => r.row_id === row)?.location).toBe(kept);
      for (const { page: p } of [ana, ben]) await expect.poll(() => cellText(p, row, 'location')).toBe(kept);
      if (!keepMine) {
        // Nothing of Ana's reached the row: Ben's value stands, and it is no conflict.
        expect((await openConflicts()).filter((c) => c.row === row)).toEqual([]);
        // The next round starts from a row Ana's browser has not read: forget it, as a new profile would.
        await page.evaluate(async () => {
          for (const d of await indexedDB.databases()) if (d.name?.endsWith(':rows')) indexedDB.deleteDatabase(d.name);
        });
        await page.reload();
        await cell(page, rows[0]!, 'summary').waitFor();
        await waitLive(page);
      }
    }
  });

  it('shows the conflicts recorded before the tab opened: it reads them once its room is synced', async () => {
    const row = rows[3]!;
    const conflict = await conflictFromClients(row, 'location');
    // A tab opened now gets no delta of that row: the list it reads says where the conflicts are.
    const late = await pagedPage(e2e.browser, e2e.server, DATASET, tokens.ben, rows[0]!);
    try {
      await expect.poll(() => hasMark(late.page, row, 'location')).toBe(true);
      await expect.poll(() => cellText(late.page, row, 'location')).toBe(conflict.kept);
      const open = (await openConflicts()).length;
      await expect.poll(() => footer(late.page).textContent()).toContain(`${open} conflict${open === 1 ? '' : 's'}`);
    } finally {
      await late.context.close();
    }
  });
});
