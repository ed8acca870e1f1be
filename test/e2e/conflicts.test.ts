/**
 * Two people change the same cell while one of them is offline: both grids mark the cell, its
 * tooltip names both values, and resolving it from one grid removes the mark from both.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { cell, cellText, openSheet, rowIds, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let ana: { page: Page; context: BrowserContext };
let ben: { page: Page; context: BrowserContext };

beforeAll(async () => {
  const [anaUser, benUser] = [await createUser(e2e.server, 'Ana Ruiz', 'editor'), await createUser(e2e.server, 'Ben Okafor', 'editor')];
  ana = await e2e.signedIn(anaUser.token, '/d/demo/events');
  ben = await e2e.signedIn(benUser.token, '/d/demo/events');
  await openSheet(ana.page, 'demo', 'events');
  await openSheet(ben.page, 'demo', 'events');
});

const hasMark = (page: Page, row: string, column: string) =>
  cell(page, row, column).evaluate((el) => el.classList.contains('cell-conflict'));

describe('a cell changed by two people at once', () => {
  it('is marked for both, and resolving it in one grid removes the mark from both', async () => {
    const row = (await rowIds(ana.page))[0]!;
    await ana.context.setOffline(true);
    await expect.poll(() => ana.page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);

    await typeInto(ben.page, row, 'location', 'Tokyo');
    await expect.poll(() => ben.page.getByTestId('sync-status').textContent()).toBe('Saved');
    await typeInto(ana.page, row, 'location', 'Beijing');
    await ana.context.setOffline(false);

    await expect.poll(() => hasMark(ana.page, row, 'location'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => hasMark(ben.page, row, 'location')).toBe(true);
    const [conflict] = (await api(e2e.server, '/api/datasets/demo/conflicts?status=open')).body as any[];
    expect(conflict).toMatchObject({ row, column: 'location' });
    const names: Record<string, string> = { Beijing: 'Ana Ruiz', Tokyo: 'Ben Okafor' };
    // Both grids show the kept value; the tooltip tells whose value replaced whose.
    await expect.poll(() => cellText(ana.page, row, 'location')).toBe(conflict.kept);
    await expect.poll(() => cellText(ben.page, row, 'location')).toBe(conflict.kept);
    await cell(ben.page, row, 'location').hover();
    await expect.poll(() => cell(ben.page, row, 'location').getAttribute('title'))
      .toContain(`${names[conflict.lost]}'s value “${conflict.lost}” was replaced by ${names[conflict.kept]}'s value “${conflict.kept}”`);

    // Ben uses the other value from the cell's menu.
    await cell(ben.page, row, 'location').click({ button: 'right' });
    await ben.page.locator('[data-testid=context-menu] [data-action=conflict-use-other]').click();

    await expect.poll(() => cellText(ana.page, row, 'location')).toBe(conflict.lost);
    await expect.poll(() => cellText(ben.page, row, 'location')).toBe(conflict.lost);
    await expect.poll(() => hasMark(ana.page, row, 'location')).toBe(false);
    await expect.poll(() => hasMark(ben.page, row, 'location')).toBe(false);
    expect((await api(e2e.server, '/api/datasets/demo/conflicts?status=open')).body).toEqual([]);
  });

  it('shows me in my open editor that someone changed the cell, and asks before my value replaces theirs', async () => {
    const row = (await rowIds(ana.page))[1]!;
    const editor = ana.page.locator(`.ag-row[row-id="${row}"] .ag-cell[col-id=actor2] input`);
    await cell(ana.page, row, 'actor2').click();
    await ana.page.keyboard.press('Enter');
    await editor.waitFor();
    await editor.fill('Mine');

    await typeInto(ben.page, row, 'actor2', 'Theirs');
    const note = ana.page.getByTestId('edit-changed-note');
    await expect.poll(() => note.textContent()).toBe('Ben Okafor changed this to “Theirs” while you were editing');
    expect(await editor.inputValue()).toBe('Mine');

    // Asked on commit; Cancel leaves their value.
    await ana.page.keyboard.press('Enter');
    const dialog = ana.page.getByTestId('confirm-dialog');
    await expect.poll(() => dialog.locator('.dialog-message').textContent())
      .toBe('Ben Okafor changed this to “Theirs” while you were editing. Keep yours?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await note.count()).toBe(0);
    await expect.poll(() => cellText(ana.page, row, 'actor2')).toBe('Theirs');

    // Again, keeping mine this time.
    await cell(ana.page, row, 'actor2').click();
    await ana.page.keyboard.press('Enter');
    await editor.fill('Mine');
    await typeInto(ben.page, row, 'actor2', 'Theirs again');
    await expect.poll(() => note.count()).toBe(1);
    await ana.page.keyboard.press('Enter');
    await dialog.getByTestId('confirm').click();
    await expect.poll(() => cellText(ben.page, row, 'actor2')).toBe('Mine');
  });

  it('asks before leaving the page while an editor is open', async () => {
    const row = (await rowIds(ana.page))[2]!;
    await cell(ana.page, row, 'actor2').click();
    await ana.page.keyboard.type('half-typed');
    const asked = new Promise<string>((resolve) => {
      ana.page.once('dialog', (dialog) => {
        resolve(dialog.type());
        void dialog.dismiss();
      });
    });
    await ana.page.close({ runBeforeUnload: true });
    expect(await asked).toBe('beforeunload');
    expect(ana.page.isClosed()).toBe(false);
  });
});
