/**
 * Double coding in three browsers (docs/double-coding.md): an admin starts a round on three selected rows with
 * two coders; each codes blind in a copy of their own (Ben never sees Ana's values) and submits, after
 * which the copy is read-only; the admin reads the report (alpha shown), adjudicates the one
 * disagreement, and the dataset's cell holds the decided value.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { type CreatedUser, createUser } from '../helpers/api';
import { type SeededSheet, cell, cellText, openSheet, rowIds, seededSheet, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let ana: CreatedUser;
let ben: CreatedUser;
let sheet: SeededSheet | undefined;

const event = (n: number): Record<string, CellValue> => ({ actor1: `Actor ${n}`, summary: `Summary ${n}` });

beforeAll(async () => {
  ana = await createUser(e2e.server, 'ana', 'editor');
  ben = await createUser(e2e.server, 'ben', 'editor');
});

afterAll(async () => {
  await sheet?.close();
});

/** Opens the coder's copy from the rounds list, and waits for its rows and a live connection. */
async function openCopy(token: string, datasetId: string): Promise<Page> {
  const { page } = await e2e.signedIn(token, `/d/${datasetId}/-/rounds`);
  await page.getByTestId('code-round').click();
  await page.locator('.ag-row[row-id]').first().waitFor();
  await page.locator('[data-testid=sync-status][data-state=saved]').waitFor();
  return page;
}

async function submit(page: Page): Promise<void> {
  await page.getByTestId('submit-round').click();
  await page.getByTestId('confirm-dialog').getByTestId('confirm').click();
  await expect.poll(() => page.getByTestId('round-banner').getAttribute('data-state')).toBe('submitted');
}

describe('double coding', () => {
  it('two coders code the same three rows blind and submit; the admin reads alpha and adjudicates, and the dataset has the decision', async () => {
    const s = await seededSheet(e2e.browser, e2e.server, e2e.server.adminToken, 'events', [event(1), event(2), event(3), event(4)]);
    sheet = s;
    const admin = s.page;
    const [r1, r2, r3, r4] = s.rows as [string, string, string, string];

    // The admin selects the first three rows and starts a round on the CAMEO column with Ana and Ben.
    await cell(admin, r1, 'actor1').click();
    await cell(admin, r3, 'actor1').click({ modifiers: ['Shift'] });
    await admin.getByTestId('rounds-menu').locator('summary').click();
    await admin.getByTestId('start-round').click();
    const dialog = admin.getByTestId('round-dialog');
    expect(await dialog.getByTestId('round-units-selected').isChecked()).toBe(true);
    await dialog.getByTestId('round-column-cameo_code').check();
    await dialog.getByTestId('round-coder-ana').check();
    await dialog.getByTestId('round-coder-ben').check();
    await dialog.getByTestId('round-start').click();
    await admin.waitForURL(`**/d/${s.datasetId}/-/rounds`);
    await expect.poll(() => admin.locator('.rounds-table tbody tr').count()).toBe(1);
    // The admin is no coder of it: the copy's address shows no copy.
    const roundId = (await admin.locator('.rounds-table tbody tr').getAttribute('data-round'))!;
    await admin.goto(`/d/${s.datasetId}/-/rounds/${roundId}`);
    await admin.getByTestId('not-a-coder').waitFor();
    expect(await admin.locator('.ag-row').count()).toBe(0);

    // Ana codes her copy: the round's three rows, the CAMEO column empty, the others as in the dataset and read-only.
    const anaPage = await openCopy(ana.token, s.datasetId);
    expect(await rowIds(anaPage)).toEqual([r1, r2, r3]);
    expect(await cellText(anaPage, r2, 'actor1')).toBe('Actor 2');
    expect(await cell(anaPage, r2, 'actor1').getAttribute('class')).toContain('cell-locked');
    await typeInto(anaPage, r1, 'cameo_code', '040');
    await typeInto(anaPage, r2, 'cameo_code', '040');
    await typeInto(anaPage, r3, 'cameo_code', '190');
    await expect.poll(() => anaPage.getByTestId('round-coded').textContent()).toBe('3 of 3 cells coded');
    await anaPage.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    // Typing into a column outside the round changes nothing.
    await cell(anaPage, r1, 'actor1').click();
    await anaPage.keyboard.type('Someone else');
    await anaPage.keyboard.press('Enter');
    expect(await cellText(anaPage, r1, 'actor1')).toBe('Actor 1');

    // Ben's copy is blind: none of Ana's values, though she has saved them.
    const benPage = await openCopy(ben.token, s.datasetId);
    for (const row of [r1, r2, r3]) expect(await cellText(benPage, row, 'cameo_code')).toBe('');
    await typeInto(benPage, r1, 'cameo_code', '040');
    await typeInto(benPage, r2, 'cameo_code', '043');
    await benPage.locator('[data-testid=sync-status][data-state=saved]').waitFor();
    // And Ana's copy keeps her own values only.
    expect(await cellText(anaPage, r2, 'cameo_code')).toBe('040');

    // Both submit; their copies turn read-only. Ben submits with his last value still in the editor:
    // it is written and stored before the copy is locked.
    await submit(anaPage);
    await cell(benPage, r3, 'cameo_code').click();
    await benPage.keyboard.type('190');
    await submit(benPage);
    expect(await cellText(benPage, r3, 'cameo_code')).toBe('190');
    expect(await benPage.getByTestId('submit-round').isVisible()).toBe(false);
    await cell(benPage, r2, 'cameo_code').click();
    await benPage.keyboard.type('999');
    await benPage.keyboard.press('Enter');
    expect(await cellText(benPage, r2, 'cameo_code')).toBe('043');

    // The admin sees both submitted, and the report: nominal alpha over (040, 040), (040, 043), (190, 190).
    await admin.goto(`/d/${s.datasetId}/-/rounds`);
    await expect.poll(() => admin.getByTestId('round-status').textContent()).toBe('All submitted');
    await admin.getByTestId('round-report').click();
    await expect.poll(() => admin.getByTestId('alpha-cameo_code').textContent()).toBe('0.545');
    expect(await admin.getByTestId('percent-cameo_code').textContent()).toBe('67%');
    expect(await admin.getByTestId('units-cameo_code').textContent()).toBe('3');
    expect(await admin.locator('.alpha-row[data-column=cameo_code]').getAttribute('class')).toContain('unreliable');
    expect(await admin.getByTestId('worst-units').locator('tbody tr').count()).toBe(1);
    // The report's CSV downloads with the signed-in session.
    const csv = await admin.request.get((await admin.getByTestId('report-csv').getAttribute('href'))!);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('cameo_code');

    // Adjudication: the agreed units come chosen; the admin picks Ben's 043 for the second row with the keyboard.
    await admin.goto(`/d/${s.datasetId}/-/rounds`);
    await admin.getByTestId('round-adjudicate').click();
    const unit = (row: string) => admin.locator(`.adj-unit[data-row="${row}"][data-column=cameo_code]`);
    await unit(r2).waitFor();
    expect(await unit(r1).getAttribute('data-state')).toBe('agreed');
    expect(await unit(r1).getByTestId('choice').isChecked()).toBe(true);
    expect(await unit(r2).getAttribute('data-state')).toBe('open');
    const choices = unit(r2).getByTestId('choice');
    expect(await unit(r2).getByTestId('choice-value').allTextContents()).toEqual(['040', '043']);
    await choices.first().focus();
    await admin.keyboard.press('ArrowRight');
    expect(await choices.nth(1).isChecked()).toBe(true);
    await admin.keyboard.press('Enter');
    await expect.poll(() => unit(r2).getAttribute('data-state')).toBe('done');
    expect(await unit(r2).getByTestId('adj-state').textContent()).toContain('043');
    // The agreed units are written in one go.
    await admin.getByTestId('write-agreed').click();
    await expect.poll(() => admin.getByTestId('adjudication-counts').textContent()).toMatch(/^3 written, 0 agreed/);
    expect([await unit(r1).getAttribute('data-state'), await unit(r3).getAttribute('data-state')]).toEqual(['done', 'done']);

    // The dataset's cell has the decision, on the server and in the grid; the row outside the round is untouched.
    await expect.poll(() => s.serverCell(r2, 'cameo_code')).toBe('043');
    expect([s.serverCell(r1, 'cameo_code'), s.serverCell(r3, 'cameo_code')]).toEqual(['040', '190']);
    await openSheet(admin, s.datasetId, 'events');
    await expect.poll(() => cellText(admin, r2, 'cameo_code')).toBe('043');
    expect(s.serverCell(r4, 'cameo_code') ?? null).toBeNull();
  });
});
