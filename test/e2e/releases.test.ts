/**
 * Releases in the browser: an admin makes a release, downloads its package (the bytes' sha256 is the
 * one listed), edits a cell, makes a second release and sees the difference: the changed cell, old → new.
 * Before a release is made, its dialog says how many open problems (by kind) and open flags it will carry.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setCell } from '../../model/document';
import { api, connectSynced } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { cellText, openSheet, rowIds, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let page: Page;

beforeAll(async () => {
  page = (await e2e.signedIn(e2e.server.adminToken, '/d/demo/events')).page;
  await openSheet(page, 'demo', 'events');
});

const releaseRow = (version: string) => page.locator(`tr.release[data-version="${version}"]`);

/** Makes a release with the page's form, confirms it in the dialog and waits for it in the list. */
async function makeRelease(notes: string, version: string): Promise<void> {
  await page.getByTestId('release-notes-input').fill(notes);
  await page.getByTestId('release-create').click();
  await page.getByTestId('release-confirm').click();
  await releaseRow(version).waitFor();
}

describe('releases in the browser', () => {
  it('labels a code in the column panel, and the codebook shows it with how many rows hold the code', async () => {
    await page.getByTestId('columns-button').click();
    await page.locator('.column-item[data-column=event_type] summary').click();
    const label = page.locator('.column-item[data-column=event_type] input[data-code=AGREE]');
    await label.fill('Agree or accept');
    await label.press('Tab');
    const labels = async () => (await api(e2e.server, '/api/datasets/demo')).body.sheets[0].columns
      .find((c: { id: string }) => c.id === 'event_type').optionLabels;
    await expect.poll(labels).toEqual({ AGREE: 'Agree or accept' });

    await page.getByTestId('codebook-link').click();
    await page.waitForURL('**/d/demo/-/codebook');
    const { body: events } = await api(e2e.server, '/api/datasets/demo/sheets/events/export?format=json');
    const agree = events.rows.filter((r: { event_type: string }) => r.event_type === 'AGREE').length;
    expect(agree).toBeGreaterThan(0);
    const code = page.locator('[data-sheet=events] tr[data-column=event_type] li[data-code=AGREE]');
    await expect.poll(() => code.textContent()).toBe(`AGREE Agree or accept ${agree}`);
  });

  it('makes a release, downloads the bytes it lists, and after an edit and a second release shows the changed cell', async () => {
    await page.goto('/d/demo/events');
    await openSheet(page, 'demo', 'events');
    await page.getByTestId('releases-link').click();
    await page.waitForURL('**/d/demo/-/releases');
    await page.getByTestId('no-releases').waitFor();
    await makeRelease('First coding of the article', '1.0');
    const first = releaseRow('1.0');
    expect(await first.getByTestId('release-rows').textContent()).toBe('events 9, statements 5, actors 13');
    const listed = await first.getByTestId('release-sha256').textContent();
    expect(listed).toMatch(/^[0-9a-f]{64}$/);

    const [download] = await Promise.all([page.waitForEvent('download'), first.getByTestId('release-download').click()]);
    expect(download.suggestedFilename()).toBe('demo-1.0.zip');
    const bytes = readFileSync((await download.path())!);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(listed);
    expect(strFromU8(unzipSync(new Uint8Array(bytes))['datapackage.json']!)).toContain('"version": "1.0"');

    // An edit in the grid, stored before the next release is made.
    await page.goto('/d/demo/events');
    await openSheet(page, 'demo', 'events');
    const row = (await rowIds(page))[0]!;
    const before = await cellText(page, row, 'location');
    await typeInto(page, row, 'location', 'Beijing');
    await expect.poll(() => cellText(page, row, 'location')).toBe('Beijing');
    await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();

    await page.getByTestId('releases-link').click();
    await page.waitForURL('**/d/demo/-/releases');
    await makeRelease('Location corrected', '1.1');
    // Newest first.
    expect(await page.locator('tr.release').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')))).toEqual(['1.1', '1.0']);

    await page.getByTestId('diff-from').selectOption('1.0');
    await page.getByTestId('diff-to').selectOption('1.1');
    await page.getByTestId('diff-compare').click();
    const diff = page.getByTestId('diff-view');
    const changed = diff.locator(`[data-sheet=events] .diff-changed[data-row="${row}"] [data-column=location]`);
    await changed.waitFor();
    expect(await changed.locator('.diff-old').textContent()).toBe(before === '' ? 'empty' : before);
    expect(await changed.locator('.diff-new').textContent()).toBe('Beijing');
    expect(await diff.locator('.diff-changed').count()).toBe(1);
    expect(await diff.locator('.diff-added, .diff-removed').count()).toBe(0);

    // The second release's changelog names the changed row.
    const second = releaseRow('1.1');
    await second.locator('.release-changelog summary').click();
    await expect.poll(() => second.getByTestId('changelog').textContent()).toContain(`- Rows changed (1): \`${row}\` (location)`);
  });

  it('says how many open problems, by kind, and open flags the release will carry before it is made', async () => {
    const { body: events } = await api(e2e.server, '/api/datasets/demo/sheets/events/export?format=json');
    const [emptied, flagged] = events.rows as Array<{ row_id: string }>;
    const clean = await api(e2e.server, '/api/datasets/demo/releases/preview?rows=all');
    expect(clean.body.problems.required).toBe(0);
    expect(clean.body.openFlags).toBe(0);
    // A required cell emptied (as a stock client would) and an open flag on another row.
    const writer = await connectSynced(e2e.server, 'demo');
    try {
      writer.doc.transact(() => setCell(sheetOf(writer.doc, 'events'), emptied!.row_id, 'actor1', null));
      await expect.poll(async () => (await api(e2e.server, '/api/datasets/demo/sheets/events/problems')).body.length).toBe(1);
    } finally {
      writer.destroy();
    }
    expect((await api(e2e.server, '/api/datasets/demo/flags', { body: { sheet: 'events', row: flagged!.row_id, reason: 'wrong_date' } })).status).toBe(201);

    await page.goto('/d/demo/-/releases');
    await releaseRow('1.1').waitFor();
    await page.getByTestId('release-create').click();
    const dialog = page.getByTestId('release-preview');
    await dialog.waitFor();
    expect(await dialog.getByTestId('release-preview-rows').textContent()).toBe('All rows: Events 9, Statements 5, Actors 13.');
    const problems = dialog.getByTestId('release-preview-problems');
    expect(await problems.getAttribute('data-count')).toBe('1');
    expect(await problems.locator('li[data-kind]').evaluateAll((items) => items.map((li) => [li.getAttribute('data-kind'), li.textContent]))).toEqual([
      ['required', '1 required cell left empty'],
    ]);
    expect(await dialog.getByTestId('release-preview-flags').textContent()).toBe('1 open flag');
    // Cancelled: nothing is made.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await api(e2e.server, '/api/datasets/demo/releases')).body).toHaveLength(2);

    // Approved rows only: none of them is approved, so the release would carry nothing open.
    await page.getByTestId('release-rows-input').selectOption('approved');
    await page.getByTestId('release-create').click();
    await dialog.waitFor();
    expect(await dialog.getByTestId('release-preview-rows').textContent()).toBe('Approved rows only: Events 0, Statements 0, Actors 0.');
    expect(await dialog.getByTestId('release-preview-clean').textContent()).toBe('No open problems and no open flags.');
    await page.getByTestId('release-confirm').click();
    await releaseRow('1.2').waitFor();
    expect(await releaseRow('1.2').getByTestId('release-rows').textContent()).toBe('events 0, statements 0, actors 0');
  });
});
