/**
 * Actor lists in the grid, in real Chromium against the real server: a column that names an actor list
 * offers the actors' names and aliases as one types, picking an alias writes the actor's name, a name
 * not in the list is marked, and an admin adds one to the list from the editor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_LIST_COLUMNS } from '../../model/actors';
import type { CellValue } from '../../model/columns';
import { getSheet, insertRow, sheetColumns, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { type CreatedUser, createDataset, createUser, rowCount } from '../helpers/api';
import { api, type Client, connectSynced } from '../helpers/clients';
import { rowsOf } from '../helpers/docs';
import { cell, openSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;
const watchers: Client[] = [];
let count = 0;

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Ana Coder', 'editor');
});

afterAll(async () => {
  for (const w of watchers) w.destroy();
});

/** A dataset whose events' actor columns name an actor list of three actors, with one event; the admin's stock client watches it. */
async function actorDataset(): Promise<{ datasetId: string; row: string; watcher: Client }> {
  const datasetId = `actors-e2e-${++count}`;
  await createDataset(e2e.server, datasetId);
  const made = await api(e2e.server, `/api/datasets/${datasetId}/sheets`, { body: { id: 'actors', name: 'Actors', columns: ACTOR_LIST_COLUMNS } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const watcher = await connectSynced(e2e.server, datasetId);
  watchers.push(watcher);
  const row = newRowId();
  watcher.doc.transact(() => {
    const actors = getSheet(watcher.doc, 'actors')!;
    insertRow(actors, newRowId(), { name: 'North Korea', code: 'PRK', aliases: ['Pyongyang', 'DPRK'], country: 'PRK' });
    insertRow(actors, newRowId(), { name: 'South Korea', code: 'KOR', aliases: ['Seoul'], country: 'KOR' });
    insertRow(actors, newRowId(), { name: 'China', code: 'CHN', aliases: ['Beijing'], country: 'CHN' });
    for (const column of sheetColumns(getSheet(watcher.doc, 'events')!)) {
      if (column.get('id') === 'actor1' || column.get('id') === 'actor2') column.set('actors', 'actors');
    }
    insertRow(getSheet(watcher.doc, 'events')!, row, { event_date: '2024-02-14', date_precision: 'day', event_type: 'MOBILIZE', summary: 'A missile test.' });
  });
  await expect.poll(() => rowCount(e2e.server, datasetId, 'actors'), { timeout: 10_000 }).toBe(3);
  await expect.poll(() => rowCount(e2e.server, datasetId, 'events'), { timeout: 10_000 }).toBe(1);
  return { datasetId, row, watcher };
}

const serverCell = (watcher: Client, rowId: string, columnId: string): CellValue | undefined =>
  sheetRows(getSheet(watcher.doc, 'events')!).get(rowId)?.get(columnId);

describe('an actor column', () => {
  it('offers actors by name and alias as one types; picking an alias writes the actor’s name', async () => {
    const { datasetId, row, watcher } = await actorDataset();
    const { context, page } = await e2e.signedIn(editor.token, `/d/${datasetId}/events`);
    try {
      await openSheet(page, datasetId, 'events');
      await cell(page, row, 'actor1').click();
      await page.keyboard.type('pyong');
      const editorBox = page.locator('.actor-suggestions');
      await expect.poll(() => editorBox.locator('li[data-value]').allTextContents()).toEqual(['North Korea“Pyongyang” · PRK · PRK']);
      await page.keyboard.press('Enter');
      await expect.poll(() => serverCell(watcher, row, 'actor1')).toBe('North Korea');
      await expect.poll(() => cell(page, row, 'actor1').textContent()).toBe('North Korea');
      expect(await cell(page, row, 'actor1').getAttribute('class')).not.toContain('cell-problem');

      // A compound actor: the list follows the part after the last ";".
      await cell(page, row, 'actor2').click();
      await page.keyboard.type('China; seo');
      await expect.poll(() => editorBox.locator('li.active').getAttribute('data-value')).toBe('South Korea');
      await page.keyboard.press('Enter');
      await expect.poll(() => serverCell(watcher, row, 'actor2')).toBe('China; South Korea');

      // A name not in the list is kept as typed, and marked; an editor is not offered to add it.
      await cell(page, row, 'actor2').click();
      await page.keyboard.type('Atlantis');
      await expect.poll(() => editorBox.textContent()).toContain('No actor matches');
      expect(await editorBox.locator('[data-testid=add-actor]').count()).toBe(0);
      await page.keyboard.press('Enter');
      await expect.poll(() => serverCell(watcher, row, 'actor2')).toBe('Atlantis');
      await expect.poll(() => cell(page, row, 'actor2').getAttribute('class')).toContain('cell-problem');
      expect(await cell(page, row, 'actor2').getAttribute('title')).toMatch(/not in the actor list/);
      const problems = await api(e2e.server, `/api/datasets/${datasetId}/sheets/events/problems`);
      expect(problems.body).toContainEqual(expect.objectContaining({ row, column: 'actor2', code: 'actor' }));
      expect(problems.body).not.toContainEqual(expect.objectContaining({ column: 'actor1' }));
    } finally {
      await context.close();
    }
  });

  it('lets an admin add a name to the actor list from the editor', async () => {
    const { datasetId, row, watcher } = await actorDataset();
    const { context, page } = await e2e.signedIn(e2e.server.adminToken, `/d/${datasetId}/events`);
    try {
      await openSheet(page, datasetId, 'events');
      await cell(page, row, 'actor1').click();
      await page.keyboard.type('Japan');
      const add = page.locator('.actor-suggestions [data-testid=add-actor]');
      await expect.poll(() => add.textContent()).toBe('Add “Japan” to the actor list');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await expect.poll(() => serverCell(watcher, row, 'actor1')).toBe('Japan');
      await expect.poll(() => rowsOf(watcher.doc, 'actors').map(([, a]) => a.name)).toContain('Japan');
      await expect.poll(() => rowCount(e2e.server, datasetId, 'actors')).toBe(4);
      await expect.poll(() => cell(page, row, 'actor1').getAttribute('class')).not.toContain('cell-problem');
    } finally {
      await context.close();
    }
  });

  it('offers the actors a passage selected in the reading pane names, for the focused row’s actor columns', async () => {
    const { datasetId, row, watcher } = await actorDataset();
    const text = 'Pyongyang fired two missiles on Wednesday.\nSeoul said the test broke the agreement.';
    const source = await api(e2e.server, `/api/datasets/${datasetId}/sources`, { body: { title: 'Missile test', text } });
    expect(source.status).toBe(201);
    const { context, page } = await e2e.signedIn(editor.token, `/d/${datasetId}/events`);
    try {
      await openSheet(page, datasetId, 'events');
      await cell(page, row, 'summary').click();
      await page.getByTestId('reading-toggle').click();
      const pane = page.getByTestId('reading-pane');
      await pane.locator('.source-item', { hasText: 'Missile test' }).click();
      await expect.poll(() => pane.getByTestId('source-text').textContent()).toBe(text);
      const offers = pane.getByTestId('actor-offers');
      expect(await offers.isHidden()).toBe(true);

      // The whole text selected, as a drag over it does.
      await pane.getByTestId('source-text').evaluate((el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        document.getSelection()!.removeAllRanges();
        document.getSelection()!.addRange(range);
      });
      await expect.poll(() => offers.locator('.actor-offer').evaluateAll((els) => els.map((e) => e.getAttribute('data-actor'))))
        .toEqual(['North Korea', 'South Korea']);
      expect(await offers.locator('[data-actor="North Korea"]').getAttribute('title')).toBe('Named here as “Pyongyang”');
      await offers.locator('[data-actor="North Korea"] [data-column=actor1]').click();
      await offers.locator('[data-actor="South Korea"] [data-column=actor2]').click();
      await expect.poll(() => [serverCell(watcher, row, 'actor1'), serverCell(watcher, row, 'actor2')]).toEqual(['North Korea', 'South Korea']);
      // The selection stays, and the bar says which cells hold which actor now.
      expect(await page.evaluate(() => document.getSelection()?.toString())).toBe(text);
      await expect.poll(() => offers.locator('[data-actor="North Korea"] [data-column=actor1]').getAttribute('aria-pressed')).toBe('true');
    } finally {
      await context.close();
    }
  });
});
