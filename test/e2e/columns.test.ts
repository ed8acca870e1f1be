/** Column administration in the browser: an admin changes the columns, a coder's grid follows live. */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { type Client, connectSynced } from '../helpers/clients';
import { getSheet, readColumns, sheetRows } from '../../model/document';
import { cell, openSheet, rowIds } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let admin: Page;
let coder: Page;
let watcher: Client;

const columns = () => readColumns(getSheet(watcher.doc, 'events')!);
/** Column ids in the order the grid shows them. */
const headers = (page: Page) => page.locator('.ag-header-cell[col-id]').evaluateAll((cells) => cells
  .map((c) => ({ id: c.getAttribute('col-id')!, at: Number(c.getAttribute('aria-colindex')) }))
  .sort((a, b) => a.at - b.at)
  .map((c) => c.id)
  .filter((id) => id !== '_row'));
const item = (columnId: string) => admin.locator(`.column-item[data-column="${columnId}"]`);

beforeAll(async () => {
  admin = (await e2e.signedIn(e2e.server.adminToken, '/d/demo/events')).page;
  const user = await createUser(e2e.server, 'Cora Coder', 'editor');
  coder = (await e2e.signedIn(user.token, '/d/demo/events')).page;
  await openSheet(admin, 'demo', 'events');
  await openSheet(coder, 'demo', 'events');
  watcher = await connectSynced(e2e.server, 'demo');
  await admin.getByTestId('columns-button').click();
});

afterAll(async () => {
  watcher?.destroy();
});

describe('column administration', () => {
  it('adds a required column that every open grid shows at once, with its empty cells marked', async () => {
    await admin.getByTestId('new-column-name').fill('Coder note');
    await admin.getByTestId('new-column-type').selectOption('text');
    await admin.locator('.new-column input[type=checkbox]').check();
    await admin.getByTestId('add-column').click();

    await expect.poll(() => columns().at(-1)).toEqual({ id: 'coder_note', name: 'Coder note', type: 'text', required: true });
    await expect.poll(() => headers(coder)).toContain('coder_note');
    const row = (await rowIds(coder))[0]!;
    await expect.poll(() => cell(coder, row, 'coder_note').getAttribute('class')).toContain('cell-missing');
  });

  it('renames and describes a column, and moves it in the display order', async () => {
    const name = item('location').locator('.column-name');
    await name.fill('Place');
    await name.press('Enter');
    await name.blur();
    await expect.poll(() => coder.locator('.ag-header-cell[col-id=location]').textContent()).toContain('Place');

    await item('location').locator('details summary').click();
    const description = item('location').locator('textarea[data-field=description]');
    await description.fill('Where it happened, as the article names it.');
    await description.blur();
    await expect.poll(() => columns().find((c) => c.id === 'location')?.description).toBe('Where it happened, as the article names it.');
    // The coder sees it as the column's tooltip.
    await expect.poll(() => coder.locator('.ag-header-cell[col-id=location]').evaluate((el) =>
      [el, ...el.querySelectorAll('[title]')].map((e) => e.getAttribute('title') ?? '').join(' '))).toContain('as the article names it');

    const before = await headers(coder);
    await item('location').getByTitle('Move left').click();
    const at = before.indexOf('location');
    await expect.poll(() => headers(coder)).toEqual([...before.slice(0, at - 1), 'location', before[at - 1]!, ...before.slice(at + 1)]);
  });

  it('changes a column to a code list and marks values that are not in it', async () => {
    await item('country').locator('select[data-field=type]').selectOption('enum');
    const codes = item('country').locator('textarea[data-field=options]');
    await codes.fill('CHN\nUSA\nKOR\nPRK\nJPN\nRUS');
    await codes.blur();
    await expect.poll(() => columns().find((c) => c.id === 'country')).toMatchObject({ type: 'enum', options: ['CHN', 'USA', 'KOR', 'PRK', 'JPN', 'RUS'] });

    // The demo's Rio event is in Brazil, which is not in the list.
    const rio = [...sheetRows(getSheet(watcher.doc, 'events')!).entries()].find(([, r]) => r.get('country') === 'BRA')![0];
    await expect.poll(() => cell(coder, rio, 'country').getAttribute('class')).toContain('cell-problem');
    expect(await cell(coder, rio, 'country').getAttribute('title')).toMatch(/not in the code list/);
  });

  it('deletes a column only after a confirm, and an undo brings it back', async () => {
    await item('cameo_code').getByTestId('delete-column').click();
    await admin.getByRole('button', { name: 'Cancel' }).click();
    expect(columns().some((c) => c.id === 'cameo_code')).toBe(true);

    await item('cameo_code').getByTestId('delete-column').click();
    await admin.getByTestId('confirm').click();
    await expect.poll(() => headers(coder)).not.toContain('cameo_code');
    expect(columns().some((c) => c.id === 'cameo_code')).toBe(false);

    await admin.getByTestId('undo').click();
    await expect.poll(() => headers(coder)).toContain('cameo_code');
  });

  it('offers no column administration to editors', async () => {
    expect(await coder.getByTestId('columns-button').count()).toBe(0);
  });
});
