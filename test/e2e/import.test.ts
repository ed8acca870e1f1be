/**
 * Import through the sheet's dialog in Chromium: a coder picks a CSV, maps a column the header does not
 * name, checks it (a rejected value is shown and nothing is written), imports the good records, and the
 * rows appear in the open grid and on the server.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { rowsOf } from '../helpers/docs';
import { csvOf } from '../helpers/import';
import { rowIds, seededSheet, type SeededSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
const sheets: SeededSheet[] = [];
let coderToken: string;

beforeAll(async () => {
  coderToken = (await createUser(e2e.server, 'Ida Importer', 'editor')).token;
});

afterAll(async () => {
  for (const s of sheets) await s.close();
});

const FILE = csvOf([
  ['Date', 'Actor 1', 'Where', 'event_type', 'review_status'],
  ['2024-02-22', '중국 (Liu Xiaoming)', 'Seoul', 'CONSULT', 'approved'],
  ['2024-02', 'United States', 'Washington', 'agree', ''],
  ['last week', 'Nobody', 'Nowhere', 'REJECT', ''],
]);

describe('import dialog', () => {
  it('maps, checks and imports a CSV; the report names the rejected value and the rows appear in the grid', async () => {
    const sheet = await seededSheet(e2e.browser, e2e.server, coderToken, 'events', [{ actor1: 'Already here', event_date: '2024-01-01' }]);
    sheets.push(sheet);
    const { page, watcher } = sheet;
    await page.getByTestId('import-button').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file').setInputFiles({ name: 'events.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });

    // Header cells are matched by name or id; "Where" is no column: it is mapped by hand.
    await expect.poll(() => dialog.getByTestId('import-map-0').inputValue()).toBe('event_date');
    expect(await dialog.getByTestId('import-map-1').inputValue()).toBe('actor1');
    expect(await dialog.getByTestId('import-map-2').inputValue()).toBe('');
    expect(await dialog.getByTestId('import-map-4').inputValue()).toBe('');
    await expect.poll(() => dialog.locator('.import-preview tbody tr').count()).toBe(3);
    await dialog.getByTestId('import-map-2').selectOption('location');

    await dialog.getByTestId('import-check').click();
    await expect.poll(() => dialog.getByTestId('import-outcome').textContent()).toMatch(/nothing was/);
    const rejected = await dialog.getByTestId('import-rejected').locator('tbody tr').allTextContents();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toContain('4');
    expect(rejected[0]).toContain('last week');

    await dialog.getByTestId('import-partial').check();
    await dialog.getByTestId('import-run').click();
    await expect.poll(() => dialog.getByTestId('import-outcome').textContent()).toMatch(/Imported: 2 new rows/);
    await expect.poll(() => rowIds(page).then((ids) => ids.length)).toBe(3);
    // On the server (the watcher's copy), in row-id order.
    await expect.poll(() => rowsOf(watcher.doc, 'events').length).toBe(3);
    const rows = rowsOf(watcher.doc, 'events').map(([, r]) => r).filter((r) => r.actor1 !== 'Already here');
    expect(rows).toEqual([
      { event_date: '2024-02-22', actor1: '중국 (Liu Xiaoming)', location: 'Seoul', event_type: 'CONSULT' },
      { event_date: '2024-02', actor1: 'United States', location: 'Washington', event_type: 'AGREE' },
    ]);
    await dialog.getByTestId('import-close').click();
    await expect.poll(() => page.getByTestId('import-dialog').count()).toBe(0);
  });

  it('previews an XLSX workbook’s first sheet and imports it with the adjusted mapping', async () => {
    const sheet = await seededSheet(e2e.browser, e2e.server, coderToken, 'events', [{ actor1: 'Already here', event_date: '2024-01-01' }]);
    sheets.push(sheet);
    const { page, watcher } = sheet;
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('Coded');
    first.addRow(['Actor 1', 'Town', 'Date']);
    first.addRow(['From a workbook', 'Busan', new Date(Date.UTC(2024, 2, 1))]);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());

    await page.getByTestId('import-button').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file').setInputFiles({ name: 'coded.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
    await expect.poll(() => dialog.getByTestId('import-map-0').inputValue()).toBe('actor1');
    expect(await dialog.getByTestId('import-map-1').inputValue()).toBe('');
    expect(await dialog.getByTestId('import-map-2').inputValue()).toBe('event_date');
    expect(await dialog.locator('.import-preview tbody td').first().textContent()).toBe('From a workbook');
    await dialog.getByTestId('import-map-1').selectOption('location');
    await dialog.getByTestId('import-run').click();
    await expect.poll(() => dialog.getByTestId('import-outcome').textContent()).toMatch(/Imported: 1 new row/);
    await expect.poll(() => rowsOf(watcher.doc, 'events').map(([, r]) => r).find((r) => r.actor1 === 'From a workbook'))
      .toEqual({ actor1: 'From a workbook', location: 'Busan', event_date: '2024-03-01' });
    await expect.poll(() => rowIds(page).then((ids) => ids.length)).toBe(2);
  });
});
