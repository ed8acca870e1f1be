/**
 * Issue 3's "done when": a new user signs in, codes a new event and a statement in the browser while
 * a second browser watches them appear, and exports them. Plus the other ways in and out.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/clients';
import { cell, cellText, openSheet, rowIds } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();

beforeAll(async () => {
});

/** Types into a cell the way a coder does: focus it, type (which opens its editor), Enter. */
async function enter(page: Page, rowId: string, columnId: string, text: string, { tick = false } = {}): Promise<void> {
  await cell(page, rowId, columnId).click();
  await page.keyboard.type(text);
  if (tick) await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await page.locator('.popup-editor, .ag-cell-inline-editing').waitFor({ state: 'detached' });
}

describe('a coding session', () => {
  it('lets a new user sign in by link, code an event and a statement while another browser watches, and export them', async () => {
    // The admin opens the first-start sign-in link: the token becomes a session and leaves the address bar.
    const admin = await e2e.signedIn(e2e.server.adminToken, '/');
    expect(admin.page.url()).toBe(`${e2e.server.url}/`);
    await admin.page.locator('[data-dataset=demo]').waitFor();

    // The admin creates a coder in the UI and gets a one-time sign-in link.
    await admin.page.goto('/admin');
    await admin.page.getByLabel('Name', { exact: true }).fill('Dana Coder');
    await admin.page.getByLabel('Role').selectOption('editor');
    await admin.page.getByRole('button', { name: 'Create user' }).click();
    const link = await admin.page.getByTestId('sign-in-link').inputValue();
    expect(link).toMatch(new RegExp(`^${e2e.server.url}/\\?token=.+`));
    await expect.poll(() => admin.page.getByTestId('users').textContent()).toContain('Dana Coder');

    // The admin watches the events sheet.
    await admin.page.goto('/d/demo/events');
    await openSheet(admin.page, 'demo', 'events');
    const watcher = admin.page;

    // Dana opens her link in her own browser.
    const dana = await e2e.browser.newContext({ baseURL: e2e.server.url, viewport: { width: 1400, height: 860 } });
    const page = await dana.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(link);
    expect(page.url()).toBe(`${e2e.server.url}/`);
    await expect.poll(() => page.getByTestId('me').textContent()).toBe('Dana Coder');
    await page.locator('[data-dataset=demo]').click();
    await openSheet(page, 'demo', 'events');

    // A new event.
    const before = await rowIds(page);
    await page.getByTestId('add-row').click();
    await expect.poll(async () => (await rowIds(page)).length).toBe(before.length + 1);
    const event = (await rowIds(page)).at(-1)!;
    await enter(page, event, 'event_date', '2024-02-26');
    await enter(page, event, 'date_precision', 'day');
    await enter(page, event, 'actor1', 'South Korea (Cho Tae-yul, foreign minister)');
    await enter(page, event, 'actor1_country', 'KOR');
    await enter(page, event, 'event_type', 'CONSULT');
    await enter(page, event, 'context', 'diplo', { tick: true });
    await enter(page, event, 'summary', 'Seoul’s foreign minister calls Beijing about “dialogue” with 김정은’s government.');

    // The watcher sees it appear, cell by cell, without reloading.
    await expect.poll(() => cellText(watcher, event, 'actor1')).toBe('South Korea (Cho Tae-yul, foreign minister)');
    await expect.poll(() => cellText(watcher, event, 'summary')).toContain('김정은’s government');
    await expect.poll(() => cellText(watcher, event, 'context')).toBe('diplomatic');
    expect(await cell(watcher, event, 'event_type').getAttribute('class')).not.toContain('cell-problem');

    // A statement linked to it.
    await watcher.locator('.tab[data-sheet=statements]').click();
    await openSheet(watcher, 'demo', 'statements');
    await page.locator('.tab[data-sheet=statements]').click();
    await openSheet(page, 'demo', 'statements');
    await page.getByTestId('add-row').click();
    const statements = await rowIds(page);
    const statement = statements.at(-1)!;
    await expect.poll(() => cell(page, statement, 'statement_date').getAttribute('class')).toContain('ag-cell-focus');
    await enter(page, statement, 'statement_date', '2024-02-26');
    await enter(page, statement, 'date_precision', 'day');
    await enter(page, statement, 'speaker', 'Cho Tae-yul');
    await enter(page, statement, 'quote', 'We will keep the door to “dialogue” open.');
    await enter(page, statement, 'quote_type', 'direct');
    await enter(page, statement, 'event_id', 'Cho Tae-yul');

    await expect.poll(() => cellText(watcher, statement, 'speaker')).toBe('Cho Tae-yul');
    await expect.poll(() => cellText(watcher, statement, 'event_id')).toBe(
      '2024-02-26 · Seoul’s foreign minister calls Beijing about “dialogue” with 김정은’s government.');
    // Every required cell is filled; left is the direct quote's evidence (anchored from the reading pane).
    await expect.poll(() => page.getByTestId('problems-statements').textContent()).toBe('1');
    expect(await cell(page, statement, 'quote').getAttribute('title')).toContain('A direct quote needs evidence');

    // Dana exports the statements as CSV from the Export menu.
    await page.getByTestId('export').locator('summary').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sheet-csv-analysis').click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^row_id,statement_date,date_precision,speaker,/);
    const line = lines.find((l) => l.startsWith(statement));
    expect(line).toContain('Cho Tae-yul');
    expect(line).toContain(`,${event},`);
    expect(line).toContain('We will keep the door to “dialogue” open.');
    expect(line).toContain('Dana Coder');

    // And the events sheet as JSON.
    await page.locator('.tab[data-sheet=events]').click();
    await openSheet(page, 'demo', 'events');
    await page.getByTestId('export').locator('summary').click();
    const [json] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-sheet-json').click(),
    ]);
    const exported = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { rows: Array<Record<string, unknown>> };
    expect(exported.rows.find((r) => r.row_id === event)).toMatchObject({
      event_date: '2024-02-26', event_type: 'CONSULT', context: ['diplomatic'], actor1_country: 'KOR',
    });

    await dana.close();
    await admin.context.close();
  });

  it('signs in with name and password on the sign-in page, and signs out', async () => {
    const { status } = await api(e2e.server, '/api/users', { body: { name: 'Pat Password', role: 'reviewer', password: 'correct horse battery' } });
    expect(status).toBe(201);
    const context = await e2e.browser.newContext({ baseURL: e2e.server.url });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);

    await page.goto('/d/demo/events');
    await page.waitForURL(/\/signin\?next=/);
    await page.getByLabel('Name').fill('Pat Password');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toMatch(/not right/);

    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/d\/demo\/events$/);
    await openSheet(page, 'demo', 'events');
    // A reviewer reads but does not edit.
    expect(await page.getByTestId('read-only').isVisible()).toBe(true);

    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/signin$/);
    await page.goto('/');
    await page.waitForURL(/\/signin/);
    await context.close();
  });

  it('sends a wrong sign-in link to the sign-in page with a message', async () => {
    const context = await e2e.browser.newContext({ baseURL: e2e.server.url });
    const page = await context.newPage();
    await page.goto('/?token=not-a-token');
    await page.waitForURL(/\/signin\?error=bad_token/);
    await expect.poll(() => page.getByTestId('signin-error').textContent()).toMatch(/not valid/);
    await context.close();
  });

  it('lets an admin create a dataset from a template and opens it', async () => {
    const { page, context } = await e2e.signedIn(e2e.server.adminToken, '/');
    await page.getByLabel('Name', { exact: true }).fill('Sahel protests 2024');
    await page.getByLabel('Template').selectOption('events-statements');
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.waitForURL(/\/d\/sahel-protests-2024\/events$/);
    await expect.poll(() => page.locator('.tab').allTextContents()).toEqual(['Events', 'Statements']);
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    expect(await page.locator('.ag-header-cell[col-id=event_type]').textContent()).toContain('Event type');
    expect((await api(e2e.server, '/api/datasets/sahel-protests-2024')).body.layout).toBe('document');
    await context.close();
  });

  it('lets an admin create a large dataset, its rows read by page, and opens it', async () => {
    const { page, context } = await e2e.signedIn(e2e.server.adminToken, '/');
    await page.getByLabel('Name', { exact: true }).fill('ACLED Africa 1997–2024');
    await page.getByLabel('Size').selectOption('rows');
    await page.getByRole('button', { name: 'Create dataset' }).click();
    await page.waitForURL(/\/d\/acled-africa-1997-2024\/events$/);
    expect((await api(e2e.server, '/api/datasets/acled-africa-1997-2024')).body.layout).toBe('rows');
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    await expect.poll(() => page.getByTestId('row-count').textContent()).toBe('0 rows');
    await context.close();
  });
});
