/**
 * The sheet's map and timeline in real Chromium against the real server (docs/places.md#the-map-and-the-timeline):
 * the rows the grid shows are points coloured by their event type, a row geocoded from the place picker
 * appears on the map at once, the grid's search and the date range narrow the points, the timeline counts
 * events per month or week, and a point opens its row in the grid.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { getSheet, setCell } from '../../model/document';
import type { Place } from '../../model/places';
import { type CreatedUser, createUser } from '../helpers/api';
import { type SeededSheet, cell, cellText, seededSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;
let sheet: SeededSheet | undefined;

const SEOUL: Place = { name: 'Seoul', country: 'KOR', lat: 37.566, lon: 126.9784, precision: 1, geonameid: 1835848 };
const BUSAN: Place = { name: 'Busan', country: 'KOR', lat: 35.10278, lon: 129.04028, precision: 1, geonameid: 1838524 };
const event = (values: Record<string, CellValue>): Record<string, CellValue> => ({
  date_precision: 'day', actor1: 'Students', summary: 'An event.', ...values,
});

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Max Mapper', 'editor');
});

afterEach(async () => {
  await sheet?.close();
  sheet = undefined;
});

describe('the map', () => {
  it('shows the rows as points by event type, a place picked in the grid at once, and follows the search and the dates', async () => {
    sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events', [
      event({ event_date: '2024-02-05', event_type: 'PROTEST', place: SEOUL, summary: 'Students march in Seoul.' }),
      event({ event_date: '2024-03-12', event_type: 'ASSAULT', place: BUSAN, summary: 'Clash at the port.' }),
      event({ event_date: '2024-03-20', event_type: 'PROTEST', location: 'Pyongyang', summary: 'A rally.' }),
    ]);
    const { page, rows } = sheet;
    const [seoul, busan, pyongyang] = rows as [string, string, string];
    await page.getByTestId('map-button').click();
    const map = page.getByTestId('map');
    const points = map.getByTestId('map-point');
    const pointRows = async () => (await points.evaluateAll((els) => els.map((e) => e.getAttribute('data-row')))).sort();
    await expect.poll(pointRows).toEqual([seoul, busan].sort());
    expect(await page.getByTestId('map-summary').textContent()).toBe('2 rows on the map, 1 row without coordinates.');
    // Coloured by event type (the default colour column): two codes, two colours, both in the legend.
    expect(await page.getByTestId('map-colour').inputValue()).toBe('event_type');
    const fill = (row: string) => map.locator(`[data-row="${row}"]`).getAttribute('fill');
    expect(await fill(seoul)).not.toBe(await fill(busan));
    expect(await page.getByTestId('map-legend').textContent()).toBe('PROTEST 1ASSAULT 1');
    // The timeline: one event in February, two in March (the third has a date but no place).
    const bars = async () => page.getByTestId('timeline-bar').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-start')}:${e.getAttribute('data-count')}`));
    expect(await bars()).toEqual(['2024-02-01:1', '2024-03-01:2']);
    await page.getByTestId('timeline-bin').selectOption('week');
    await expect.poll(async () => (await bars()).filter((b) => !b.endsWith(':0'))).toEqual(['2024-02-05:1', '2024-03-11:1', '2024-03-18:1']);

    // Geocode the third row from the place picker: it appears on the map, coloured as the other protest.
    await cell(page, pyongyang, 'place').click();
    await page.keyboard.type('Pyongyang');
    const picker = page.getByTestId('place-editor');
    await expect.poll(() => picker.locator('.place-list li').first().locator('.place-name').textContent(), { timeout: 30_000 }).toBe('Pyongyang');
    await page.keyboard.press('Enter');
    await expect.poll(pointRows).toEqual([seoul, busan, pyongyang].sort());
    expect(await fill(pyongyang)).toBe(await fill(seoul));
    expect(await page.getByTestId('map-summary').textContent()).toBe('3 rows on the map.');

    // The grid's search narrows the map and the timeline.
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('Clash at the port');
    await expect.poll(pointRows).toEqual([busan]);
    expect(await page.getByTestId('map-summary').textContent()).toBe('1 row on the map (of 3 in the sheet).');
    await page.getByRole('searchbox', { name: 'Search this sheet' }).fill('');
    await expect.poll(pointRows).toEqual([seoul, busan, pyongyang].sort());

    // Another user's edit shows at once: Busan's clash recoded as a protest takes the protests' colour.
    sheet.watcher.doc.transact(() => setCell(getSheet(sheet!.watcher.doc, 'events')!, busan, 'event_type', 'PROTEST'));
    await expect.poll(() => fill(busan)).toBe(await fill(seoul));
    await expect.poll(() => page.getByTestId('map-legend').textContent()).toBe('PROTEST 3');
    // An edit of nothing the map shows (a summary) draws nothing again: the point is the same element.
    const point = await map.locator(`[data-row="${busan}"]`).elementHandle();
    sheet.watcher.doc.transact(() => setCell(getSheet(sheet!.watcher.doc, 'events')!, busan, 'summary', 'Clash at the port, again.'));
    await expect.poll(() => cellText(page, busan, 'summary')).toBe('Clash at the port, again.');
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await point!.evaluate((el) => el.isConnected)).toBe(true);

    // The date range: from March on, Seoul's February protest leaves the map.
    await page.getByTestId('map-from').evaluate((input: HTMLInputElement) => {
      input.value = String(Date.UTC(2024, 2, 1) / 86_400_000);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(pointRows).toEqual([busan, pyongyang].sort());
    expect(await page.getByTestId('map-range').textContent()).toBe('2024-03-01 – 2024-03-20');

    // A point opens its row: the grid focuses it.
    await map.locator(`[data-row="${busan}"]`).click();
    await expect.poll(() => page.locator(`.ag-row[row-id="${busan}"] .ag-cell-focus`).count()).toBe(1);
  });

  it('clusters points that are close together at the zoom shown', async () => {
    // Four corners of a square about 2 km wide around Seoul: they part at one zoom.
    const near = (i: number) => ({ ...SEOUL, name: `Seoul ${i}`, lat: 37.566 + (i % 2 ? 0.01 : -0.01), lon: 126.9784 + (i < 2 ? 0.01 : -0.01), geonameid: null });
    sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events',
      [0, 1, 2, 3].map((i) => event({ event_date: '2024-02-05', event_type: 'PROTEST', place: near(i) })).concat(
        [event({ event_date: '2024-02-06', event_type: 'PROTEST', place: { ...SEOUL, name: 'Lima', country: 'PER', lat: -12.04, lon: -77.03 } })]));
    const { page } = sheet;
    await page.getByTestId('map-button').click();
    const map = page.getByTestId('map');
    // Fitted to Seoul and Lima, the four Seoul rows are one cluster of 4.
    await expect.poll(() => map.getByTestId('map-cluster').getAttribute('data-count')).toBe('4');
    expect(await map.getByTestId('map-point').count()).toBe(1);
    // Clicking it zooms in to where they part.
    await map.getByTestId('map-cluster').click();
    await expect.poll(() => map.getByTestId('map-point').count()).toBe(4);
  });
});
