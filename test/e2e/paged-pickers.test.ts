/**
 * The pickers of the paged grid (a dataset whose rows are documents of their own, layout `rows`), in real
 * Chromium against the real server: the place editor searches the gazetteer in the row's country, Enter
 * picks, the row's own room stores the place and the map shows the row's point; a code and several codes
 * are picked from their lists as in the document grid, and an actor from the dataset's actor list.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newRowId } from '../../model/ids';
import { getRowCells } from '../../model/row-document';
import { type CreatedUser, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { cell, waitLive } from './browser';
import { browserSuite } from './fixtures';
import { actorList } from './paged-setup';

const DATASET = 'paged-places';
const e2e = browserSuite();
let editor: CreatedUser;
let page: Page;
const row = newRowId();

const stored = async (column: string) => ((await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows`)).body.rows as Array<Record<string, unknown>>)
  .find((r) => r.row_id === row)?.[column];

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Pia Placer', 'editor');
  expect((await api(e2e.server, '/api/datasets', { body: { id: DATASET, name: 'Paged places', template: 'events-statements', layout: 'rows' } })).status).toBe(201);
  const c = await e2e.rowClient(DATASET, row, editor.token);
  c.doc.transact(() => {
    for (const [k, v] of Object.entries({ event_date: '2024-02-05', event_type: 'MOBILIZE', country: 'PRK', summary: 'A parade.' })) getRowCells(c.doc).set(k, v);
  });
  await eventually(async () => expect((await api(e2e.server, `/api/datasets/${DATASET}/sheets/events/rows`)).body.total).toBe(1));
  // An actor list of two actors, named by the events' actor1 column.
  await actorList(e2e.server, DATASET, editor.token, [
    { name: 'North Korea', aliases: ['Pyongyang', 'DPRK'], country: 'PRK' }, { name: 'South Korea', aliases: ['Seoul'], country: 'KOR' },
  ], e2e.clients);
  ({ page } = await e2e.signedIn(editor.token, `/d/${DATASET}/events`));
  await cell(page, row, 'summary').waitFor();
  await waitLive(page);
});

describe('the pickers of the paged grid', () => {
  it('searches in the row’s country, picks with Enter into the row’s room, and the map shows the row', async () => {
    await cell(page, row, 'place').click();
    await page.keyboard.type('Pyong');
    const picker = page.getByTestId('place-editor');
    const first = picker.locator('.place-list li').first();
    await expect.poll(() => first.locator('.place-name').textContent(), { timeout: 30_000 }).toBe('Pyongyang');
    expect(await picker.locator('.place-scope').textContent()).toContain('only in PRK');
    await page.keyboard.press('Enter');

    await expect.poll(() => stored('place')).toMatchObject({ name: 'Pyongyang', country: 'PRK', precision: 1, geonameid: 1871859 });
    expect(await picker.count()).toBe(0);

    await page.getByTestId('map-button').click();
    const points = page.getByTestId('map').getByTestId('map-point');
    await expect.poll(() => points.evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).toEqual([row]);
  });

  it('picks a code, and several codes, from their lists', async () => {
    await page.keyboard.press('Escape');
    await cell(page, row, 'event_type').click();
    await page.keyboard.type('threat');
    await page.locator('.pick-list li.active').filter({ hasText: 'THREATEN' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => stored('event_type')).toBe('THREATEN');

    await cell(page, row, 'context').click();
    await page.keyboard.press('Enter');
    await page.locator('.pick-list li', { hasText: 'military' }).click();
    await page.locator('.pick-list li', { hasText: 'cbrn' }).click();
    await page.keyboard.press('Enter');
    await expect.poll(() => stored('context')).toEqual(['military', 'cbrn']);
  });

  it('offers the actor list by name and alias as one types; picking an alias writes the actor’s name; others are marked', async () => {
    await page.keyboard.press('Escape');
    await cell(page, row, 'actor1').click();
    await page.keyboard.type('pyong');
    const suggestions = page.locator('.actor-suggestions');
    await expect.poll(() => suggestions.locator('li[data-value]').allTextContents()).toEqual(['North Korea“Pyongyang” · PRK']);
    await page.keyboard.press('Enter');
    await expect.poll(() => stored('actor1')).toBe('North Korea');
    expect(await cell(page, row, 'actor1').getAttribute('class')).not.toContain('cell-problem');

    // A name not in the list is kept as typed, and marked.
    await cell(page, row, 'actor1').click();
    await page.keyboard.type('Atlantis');
    await expect.poll(() => suggestions.textContent()).toContain('No actor matches');
    await page.keyboard.press('Enter');
    await expect.poll(() => stored('actor1')).toBe('Atlantis');
    await expect.poll(() => cell(page, row, 'actor1').getAttribute('class')).toContain('cell-problem');
  });
});
