/**
 * The place editor in real Chromium against the real server (docs/places.md): typing searches the
 * gazetteer, the row's country narrows the search, keys 1–4 set the precision, Enter picks, and the
 * server's document holds the place.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { type CreatedUser, createUser } from '../helpers/api';
import { type SeededSheet, cell, cellText, seededSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;
let sheet: SeededSheet | undefined;

const event = (values: Record<string, CellValue>): Record<string, CellValue> => ({
  event_date: '2024-02-22', date_precision: 'day', actor1: 'United States', event_type: 'COOPERATE', summary: 'Allies meet.', ...values,
});

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Ana Geocoder', 'editor');
});

afterEach(async () => {
  await sheet?.close();
  sheet = undefined;
});

describe('the place editor', () => {
  it('searches as one types in the row’s country, shows region, country and population, and Enter picks with the precision typed', async () => {
    sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events', [event({ location: 'Rio', country: 'BRA' })]);
    const { page, rows, serverCell } = sheet;
    const row = rows[0]!;
    await cell(page, row, 'place').click();
    await page.keyboard.type('Rio');
    const picker = page.getByTestId('place-editor');
    const first = picker.locator('.place-list li').first();
    await expect.poll(() => first.locator('.place-name').textContent(), { timeout: 30_000 }).toBe('Rio de Janeiro');
    expect(await picker.getByRole('checkbox').isChecked()).toBe(true);
    expect(await picker.locator('.place-scope').textContent()).toContain('only in BRA');
    expect(await first.locator('.place-detail').textContent()).toMatch(/^Rio de Janeiro · BRA · [\d,]+ people$/);
    // Every place offered is in Brazil, the row's country.
    expect(await picker.locator('.place-list li .place-detail').allTextContents()).toSatisfy((all: string[]) => all.every((d) => d.includes('BRA')));
    // A city starts at precision 1; the key 2 says "near it".
    expect(await picker.locator('.place-precisions button.active').textContent()).toBe('1');
    await page.keyboard.press('2');
    expect(await picker.locator('.place-precisions button.active').textContent()).toBe('2');
    await page.keyboard.press('Enter');

    await expect.poll(() => serverCell(row, 'place')).toEqual({
      name: 'Rio de Janeiro', country: 'BRA', lat: -22.90642, lon: -43.18223, precision: 2, geonameid: 3451190,
    });
    await expect.poll(() => cellText(page, row, 'place')).toBe('Rio de JaneiroBRA p2');
    expect(await picker.count()).toBe(0);
  });

  it('searches the whole world without a country, arrows move, and Enter on a placed cell keeps the place with a new precision', async () => {
    sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events', [event({ location: 'Pyongyang' })]);
    const { page, rows, serverCell } = sheet;
    const row = rows[0]!;
    await cell(page, row, 'place').click();
    await page.keyboard.type('Pyongyang');
    const picker = page.getByTestId('place-editor');
    const items = picker.locator('.place-list li');
    await expect.poll(() => items.first().locator('.place-name').textContent(), { timeout: 30_000 }).toBe('Pyongyang');
    expect(await picker.locator('.place-scope').isHidden()).toBe(true);
    // The second is the region of the same name: a region starts at precision 3.
    await page.keyboard.press('ArrowDown');
    expect(await items.nth(1).getAttribute('class')).toContain('active');
    expect(await items.nth(1).locator('.place-kind').textContent()).toBe('region');
    expect(await picker.locator('.place-precisions button.active').textContent()).toBe('3');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await expect.poll(() => serverCell(row, 'place')).toEqual({
      name: 'Pyongyang', country: 'PRK', lat: 39.03385, lon: 125.75432, precision: 1, geonameid: 1871859,
    });

    // Enter opens the cell on its own place: 4 and Enter keep it, now placed only by its country.
    await expect.poll(() => cellText(page, row, 'place')).toBe('PyongyangPRK p1');
    await cell(page, row, 'place').click();
    await page.keyboard.press('Enter');
    await expect.poll(() => picker.locator('.place-list li.active .place-name').textContent()).toBe('Keep Pyongyang');
    await page.keyboard.press('4');
    await page.keyboard.press('Enter');
    await expect.poll(() => (serverCell(row, 'place') as { precision: number } | undefined)?.precision).toBe(4);
    expect(serverCell(row, 'place')).toMatchObject({ name: 'Pyongyang', geonameid: 1871859, lat: 39.03385 });
  });
});
