/**
 * A researcher's first hour in the browser: who is here, conflicts, the review card, importing, a blind
 * copy, the progress timeline, and the sheet at 1280×800.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { getSheet, insertRow, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import ExcelJS from 'exceljs';
import { api, connectSynced } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { cell, openSheet, rowIds, seededSheet, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();

beforeAll(async () => {
});

describe('who is here', () => {
  it('shows coder1 and coder2 with initials that tell them apart', async () => {
    const pages: Page[] = [];
    for (const name of ['coder1', 'coder2']) {
      const user = await createUser(e2e.server, name, 'editor');
      const { page } = await e2e.signedIn(user.token, '/d/demo/events');
      await openSheet(page, 'demo', 'events');
      pages.push(page);
    }
    const initials = (page: Page) => page.locator('[data-testid=whos-here] .avatar').evaluateAll((avatars) =>
      Object.fromEntries(avatars.map((a) => [a.getAttribute('data-user'), a.querySelector('.avatar-initials')!.textContent])));
    await expect.poll(() => initials(pages[0]!)).toEqual({ coder1: 'C1', coder2: 'C2' });
    await expect.poll(() => initials(pages[1]!)).toEqual({ coder1: 'C1', coder2: 'C2' });
    await Promise.all(pages.map((p) => p.context().close()));
  });
});

/** The colour of the page's pixel at (x, y), as Chromium draws it: [r, g, b]. */
async function pixelAt(page: Page, x: number, y: number): Promise<number[]> {
  const png = await page.screenshot({ clip: { x, y, width: 1, height: 1 } });
  return page.evaluate(async (bytes) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(1, 1);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
  }, [...png]);
}

describe('conflicts in the sheet', () => {
  it('are counted in the footer, stepped through from there, and marked visibly under a presence outline', async () => {
    const [anaUser, benUser] = [await createUser(e2e.server, 'Ana Ruiz', 'editor'), await createUser(e2e.server, 'Ben Okafor', 'editor')];
    const ana = await e2e.signedIn(anaUser.token, '/d/demo/events');
    const ben = await e2e.signedIn(benUser.token, '/d/demo/events');
    await openSheet(ana.page, 'demo', 'events');
    await openSheet(ben.page, 'demo', 'events');
    const footer = ana.page.getByTestId('conflicts-footer');
    expect(await footer.isVisible()).toBe(false);

    // Two cells changed by both, one of them offline.
    const rows = await rowIds(ana.page);
    const cells = [[rows[3]!, 'location'], [rows[1]!, 'cameo_code']] as const;
    await ana.context.setOffline(true);
    await expect.poll(() => ana.page.getByTestId('sync-status').textContent()).toMatch(/^Offline/);
    for (const [row, column] of cells) await typeInto(ben.page, row, column, `Ben ${column}`);
    await expect.poll(() => ben.page.getByTestId('sync-status').textContent()).toBe('Saved');
    for (const [row, column] of cells) await typeInto(ana.page, row, column, `Ana ${column}`);
    await ana.context.setOffline(false);
    await expect.poll(async () => ((await api(e2e.server, '/api/datasets/demo/conflicts?status=open')).body as unknown[]).length, { timeout: 15_000 }).toBe(2);

    await expect.poll(() => footer.textContent()).toBe('2 conflicts‹›');
    expect(await footer.isVisible()).toBe(true);
    // From the top: the first conflict in the grid's order, then the next, then round to the first again.
    await cell(ana.page, rows[0]!, 'event_date').click();
    const focused = () => ana.page.locator('.ag-cell-focus').evaluate((el) => [el.closest('.ag-row')!.getAttribute('row-id'), el.getAttribute('col-id')]);
    await ana.page.getByTestId('conflict-next').click();
    await expect.poll(focused).toEqual([rows[1], 'cameo_code']);
    await ana.page.getByTestId('conflict-next').click();
    await expect.poll(focused).toEqual([rows[3], 'location']);
    await ana.page.getByTestId('conflict-next').click();
    await expect.poll(focused).toEqual([rows[1], 'cameo_code']);
    await ana.page.getByTestId('conflict-previous').click();
    await expect.poll(focused).toEqual([rows[3], 'location']);

    // Ben in the cell: his outline around it, and the mark still shows in its own colour (--warn, #b45309).
    const [row, column] = cells[0];
    await cell(ben.page, row, column).click();
    await expect.poll(() => cell(ana.page, row, column).evaluate((el) => el.classList.contains('has-presence'))).toBe(true);
    // Ana's own focus is on it too.
    await expect.poll(focused).toEqual([row, column]);
    const box = (await cell(ana.page, row, column).boundingBox())!;
    const [r, g, b] = await pixelAt(ana.page, Math.round(box.x + 8), Math.round(box.y + 8));
    expect(Math.abs(r! - 0xb4) + Math.abs(g! - 0x53) + Math.abs(b! - 0x09)).toBeLessThan(40);
    await ana.context.close();
    await ben.context.close();
  });
});

describe('the review card', () => {
  it('says who coded the row, not only who changed a cell last', async () => {
    const [coder1, coder2] = [await createUser(e2e.server, 'Cora One', 'editor'), await createUser(e2e.server, 'Cole Two', 'editor')];
    const row = newRowId();
    // Cora fills 14 cells of a new row, then Cole changes one.
    const cora = await connectSynced(e2e.server, 'demo', coder1.token);
    cora.doc.transact(() => insertRow(getSheet(cora.doc, 'events')!, row, {
      event_date: '2024-02-22', date_precision: 'day', actor1: 'China', actor2: 'North Korea', event_type: 'CONSULT',
      cameo_code: '040', location: 'Pyongyang', summary: 'Envoy visits.', source_url: 'https://example.org/a',
      source_excerpt: 'The envoy arrived.', context: ['diplomacy'],
    }));
    const cole = await connectSynced(e2e.server, 'demo', coder2.token);
    await expect.poll(() => sheetRows(getSheet(cole.doc, 'events')!).has(row)).toBe(true);
    cole.doc.transact(() => setCell(getSheet(cole.doc, 'events')!, row, 'cameo_code', '036'));
    await expect.poll(async () => (await api(e2e.server, `/api/datasets/demo/rows/${row}/review`)).body?.coders)
      .toEqual(['Cora One', 'Cole Two']);
    const flag = await api(e2e.server, '/api/datasets/demo/flags', { method: 'POST', body: { sheet: 'events', row, reason: 'other' } });
    expect(flag.status).toBe(201);

    const { page, context } = await e2e.signedIn(e2e.server.adminToken, '/d/demo/events');
    await openSheet(page, 'demo', 'events');
    await page.getByTestId('review-button').click();
    const card = page.locator(`[data-testid=review-panel] .flag-card[data-row="${row}"] .flag-meta`);
    await expect.poll(() => card.textContent()).toMatch(/· coded by Cora One and Cole Two$/);
    cora.destroy();
    cole.destroy();
    await context.close();
  });
});

describe('importing', () => {
  it('says of an API dry run that nothing was written and what would have been', async () => {
    const file = csvOf([['event_date', 'actor1'], ['2024-02-22', 'China']]);
    const dry = await importFile(e2e.server, 'demo', 'events', file, { query: 'dry_run=1' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      inserted: 1, updated: 0, written: false, dryRun: true,
      summary: 'Nothing was written (dry_run=1, a check): the import would have inserted 1 row, updated 0 and left 0 unchanged',
    });
    const refused = await importFile(e2e.server, 'demo', 'events', csvOf([['event_date'], ['last week']]), { query: 'dry_run=1' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe('1 record could not be imported, so nothing was written: fix them, or import with partial=1 to write the others');
    expect(refused.body.summary).toBe(`${refused.body.error.message} (this was a check)`);
  });

  it('previews XLSX dates as dates, and its check reads as a sentence', async () => {
    const sheet = await seededSheet(e2e.browser, e2e.server, e2e.server.adminToken, 'events', [{ actor1: 'Already here', event_date: '2024-01-01' }]);
    const { page } = sheet;
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('Coded');
    first.addRow(['Actor 1', 'Date']);
    first.addRow(['From a workbook', new Date(Date.UTC(2024, 1, 22))]);
    first.addRow(['Not a date', 'last week']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());

    await page.getByTestId('import-button').click();
    const dialog = page.getByTestId('import-dialog');
    await dialog.getByTestId('import-file').setInputFiles({ name: 'coded.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
    await expect.poll(() => dialog.locator('.import-preview tbody tr').allTextContents()).toEqual(['From a workbook2024-02-22', 'Not a datelast week']);

    await dialog.getByTestId('import-check').click();
    await expect.poll(() => dialog.getByTestId('import-outcome').textContent())
      .toBe('1 value cannot be imported, so nothing was written (this was a check). Fix the file, or tick “Import the good records”.');
    await dialog.getByTestId('import-partial').check();
    await dialog.getByTestId('import-check').click();
    await expect.poll(() => dialog.getByTestId('import-outcome').textContent())
      .toBe('Would import: 1 new row, 0 updated rows, 0 unchanged; 1 rejected value left out. Nothing was written (this was a check).');
    await sheet.close();
  });
});

describe('a fresh blind copy', () => {
  it('shows the round’s empty cells as to code, not as red required problems', async () => {
    const coders = [await createUser(e2e.server, 'Blind One', 'editor'), await createUser(e2e.server, 'Blind Two', 'editor')];
    const sheet = await seededSheet(e2e.browser, e2e.server, e2e.server.adminToken, 'events', [
      { actor1: 'A', event_type: 'CONSULT', summary: 'One.', event_date: '2024-01-01', date_precision: 'day' },
      { actor1: 'B', event_type: 'AGREE', summary: 'Two.', event_date: '2024-01-02', date_precision: 'day' },
    ]);
    const round = await api(e2e.server, `/api/datasets/${sheet.datasetId}/rounds`, {
      method: 'POST', body: { sheet: 'events', rows: sheet.rows, columns: ['event_type', 'summary'], coders: coders.map((c) => c.name) },
    });
    expect(round.status).toBe(201);
    const { page, context } = await e2e.signedIn(coders[0]!.token, `/d/${sheet.datasetId}/-/rounds/${round.body.id}`);
    await page.locator('.ag-row[row-id]').first().waitFor();
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    await expect.poll(() => page.getByTestId('round-coded').textContent()).toBe('0 of 4 cells coded');
    const marked = () => page.locator('.ag-cell[col-id=event_type], .ag-cell[col-id=summary]').evaluateAll((cells) =>
      cells.filter((c) => c.classList.contains('cell-problem') || c.classList.contains('cell-missing')).length);
    expect(await page.locator('.ag-cell[col-id=event_type]').count()).toBe(2);
    expect(await marked()).toBe(0);
    await context.close();
    await sheet.close();
  });
});

describe('the progress timeline', () => {
  it('labels each day, month or year once, at its start, in order', async () => {
    const sheet = await seededSheet(e2e.browser, e2e.server, e2e.server.adminToken, 'events', [
      { actor1: 'A', event_date: '2023-12-05', event_type: 'CONSULT' },
      { actor1: 'B', event_date: '2024-01', event_type: 'AGREE' },
      { actor1: 'C', event_date: '2024-03-20', event_type: 'CONSULT' },
    ]);
    const { page, context } = await e2e.signedIn(e2e.server.adminToken, `/d/${sheet.datasetId}/-/progress`);
    const canvas = page.locator('canvas[data-ticks]');
    await canvas.waitFor();
    const labels = (await canvas.getAttribute('data-ticks'))!.split('|');
    expect(labels.length).toBeGreaterThan(1);
    expect(new Set(labels).size).toBe(labels.length);
    // One kind of label throughout ("22 Feb 2024", "Feb 2024" or "2024"), never an ISO date beside them.
    const kinds = [/^\d{1,2} [A-Z][a-z]{2} \d{4}$/, /^[A-Z][a-z]{2} \d{4}$/, /^\d{4}$/];
    const kind = kinds.find((k) => k.test(labels[0]!));
    expect(kind, labels[0]).toBeDefined();
    for (const label of labels) expect(label).toMatch(kind!);
    const times = labels.map((l) => Date.parse(`${/^\d{4}$/.test(l) ? `1 Jan ${l}` : /^\d/.test(l) ? l : `1 ${l}`} UTC`));
    expect(times.every(Number.isFinite)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Dec 2023's start lies before the axis begins (2 Dec): its points sit left of the Jan 2024 tick.
    expect(labels).toEqual(['Jan 2024', 'Feb 2024', 'Mar 2024']);
    await context.close();
    await sheet.close();
  });
});

describe('the sheet at 1280×800', () => {
  /** Whether the element is wholly inside the window and inside every scrolled box around it, as it is now. */
  const seenWithoutScrolling = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) return false;
    for (let p = el.parentElement; p; p = p.parentElement) {
      const frame = p.getBoundingClientRect();
      const style = getComputedStyle(p);
      if (!/(auto|scroll|hidden)/.test(style.overflowY + style.overflowX)) continue;
      if (box.top < frame.top - 1 || box.bottom > frame.bottom + 1 || box.left < frame.left - 1 || box.right > frame.right + 1) return false;
    }
    return true;
  });

  it('hides Mark fixed once marked, shows Members as a button, the flag’s buttons without scrolling, and a round dialog that fits', async () => {
    const coder = await createUser(e2e.server, 'Fixer Coder', 'editor');
    const sheet = await seededSheet(e2e.browser, e2e.server, e2e.server.adminToken, 'events', [{ actor1: 'A', event_type: 'CONSULT', summary: 'One.' }]);
    const row = sheet.rows[0]!;
    // The coder codes the row; the admin flags it.
    const coding = await connectSynced(e2e.server, sheet.datasetId, coder.token);
    coding.doc.transact(() => setCell(getSheet(coding.doc, 'events')!, row, 'cameo_code', '040'));
    await expect.poll(async () => (await api(e2e.server, `/api/datasets/${sheet.datasetId}/rows/${row}/review`)).body?.coders).toContain('Fixer Coder');
    const flag = await api(e2e.server, `/api/datasets/${sheet.datasetId}/flags`, {
      method: 'POST', body: { sheet: 'events', row, column: 'cameo_code', reason: 'other', note: 'Is this right?' },
    });
    expect(flag.status).toBe(201);

    const small = { width: 1280, height: 800 };
    const coderPage = (await e2e.signedIn(coder.token, `/d/${sheet.datasetId}/events`));
    await coderPage.page.setViewportSize(small);
    await openSheet(coderPage.page, sheet.datasetId, 'events');
    await coderPage.page.getByTestId('review-button').click();
    await coderPage.page.locator(`.flag-card[data-row="${row}"]`).click();
    const fixed = coderPage.page.getByTestId('mark-fixed');
    await fixed.waitFor();
    expect(await seenWithoutScrolling(coderPage.page, 'mark-fixed')).toBe(true);
    await fixed.click();
    await expect.poll(() => coderPage.page.getByTestId('thread').locator('[data-step=fixed]').count()).toBe(1);
    await expect.poll(() => fixed.isVisible()).toBe(false);

    // The admin on the demo: Members is a bordered button; the flag's resolve and approve buttons show
    // without scrolling, also on a row coded from a long passage.
    const demo = await e2e.signedIn(e2e.server.adminToken, '/d/demo/events');
    await demo.page.setViewportSize(small);
    await openSheet(demo.page, 'demo', 'events');
    const members = await demo.page.getByTestId('members-button').evaluate((el) => getComputedStyle(el).borderTopColor);
    expect(members).not.toBe('rgba(0, 0, 0, 0)');
    const demoRow = (await rowIds(demo.page))[0]!;
    const demoFlag = await api(e2e.server, '/api/datasets/demo/flags', {
      method: 'POST', body: { sheet: 'events', row: demoRow, column: 'cameo_code', reason: 'other', note: 'CAMEO codes have three digits: is 04x meant to be 040?' },
    });
    expect(demoFlag.status).toBe(201);
    await demo.page.getByTestId('review-button').click();
    await demo.page.locator(`.flag-card[data-row="${demoRow}"]`).click();
    await demo.page.getByTestId('resolve').waitFor();
    await expect.poll(() => demo.page.locator('.flag-passages-host').evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(100);
    expect(await seenWithoutScrolling(demo.page, 'resolve')).toBe(true);
    expect(await seenWithoutScrolling(demo.page, 'approve-row')).toBe(true);
    await demo.context.close();

    // The round dialog fits the window, its Start button in sight.
    const admin = sheet.page;
    await admin.setViewportSize(small);
    await cell(admin, row, 'actor1').click();
    await admin.getByTestId('rounds-menu').locator('summary').click();
    await admin.getByTestId('start-round').click();
    await admin.getByTestId('round-dialog').waitFor();
    await admin.getByTestId('round-coders').locator('label').first().waitFor();
    expect(await seenWithoutScrolling(admin, 'round-dialog')).toBe(true);
    expect(await seenWithoutScrolling(admin, 'round-start')).toBe(true);
    coding.destroy();
    await coderPage.context.close();
    await sheet.close();
  });
});
