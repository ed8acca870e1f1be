/**
 * Two people in two browsers on the same sheet: edits both ways, presence, undo of one's own
 * changes only, and remote changes that leave my focus and my open editor alone.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/api';
import { cell, cellText, openSheet, rowIds, typeInto } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let ana: Page;
let ben: Page;

beforeAll(async () => {
  const [anaUser, benUser] = [await createUser(e2e.server, 'Ana Ruiz', 'editor'), await createUser(e2e.server, 'Ben Okafor', 'editor')];
  ana = (await e2e.signedIn(anaUser.token, '/d/demo/events')).page;
  ben = (await e2e.signedIn(benUser.token, '/d/demo/events')).page;
  await openSheet(ana, 'demo', 'events');
  await openSheet(ben, 'demo', 'events');
});

describe('two people coding the same sheet', () => {
  it("shows each person's edit in the other's browser, both ways", async () => {
    const [first, second] = await rowIds(ana);
    await typeInto(ana, first!, 'location', 'Beijing');
    await expect.poll(() => cellText(ben, first!, 'location')).toBe('Beijing');

    await typeInto(ben, second!, 'location', 'Washington');
    await expect.poll(() => cellText(ana, second!, 'location')).toBe('Washington');
  });

  it('shows who is here and outlines the cell a collaborator is in, with their name', async () => {
    await expect.poll(() => ana.locator('[data-testid=whos-here] [data-user="Ben Okafor"]').count()).toBe(1);
    await expect.poll(() => ben.locator('[data-testid=whos-here] [data-user="Ana Ruiz"]').count()).toBe(1);

    const [, , third] = await rowIds(ana);
    await cell(ben, third!, 'actor2').click();
    const seen = cell(ana, third!, 'actor2');
    await expect.poll(() => seen.getAttribute('class')).toContain('has-presence');
    await expect.poll(() => seen.locator('.presence-tag').textContent()).toBe('Ben Okafor');

    // When Ben moves on, the outline follows him.
    await cell(ben, third!, 'location').click();
    await expect.poll(() => seen.getAttribute('class')).not.toContain('has-presence');
    await expect.poll(() => cell(ana, third!, 'location').locator('.presence-tag').textContent()).toBe('Ben Okafor');
  });

  it("undoes only my own edit, not a collaborator's later one", async () => {
    const ids = await rowIds(ana);
    const row = ids[3]!;
    const before = await cellText(ana, row, 'actor2');
    await typeInto(ana, row, 'actor2', 'Ana was here');
    await expect.poll(() => cellText(ben, row, 'actor2')).toBe('Ana was here');
    await typeInto(ben, row, 'location', 'Pyongyang');
    await expect.poll(() => cellText(ana, row, 'location')).toBe('Pyongyang');

    await cell(ana, row, 'cameo_code').click();
    await ana.keyboard.press('Control+z');

    await expect.poll(() => cellText(ana, row, 'actor2')).toBe(before);
    await expect.poll(() => cellText(ben, row, 'actor2')).toBe(before);
    expect(await cellText(ana, row, 'location')).toBe('Pyongyang');

    await ana.keyboard.press('Control+Shift+z');
    await expect.poll(() => cellText(ben, row, 'actor2')).toBe('Ana was here');
  });

  it('keeps my open editor and what I typed when someone edits another cell of the same row', async () => {
    const row = (await rowIds(ana))[4]!;
    await cell(ana, row, 'actor2').click();
    await ana.keyboard.press('Enter');
    const editor = ana.locator(`.ag-row[row-id="${row}"] .ag-cell[col-id=actor2] input`);
    await editor.waitFor();
    await editor.fill('half-typed');

    await typeInto(ben, row, 'location', 'Rio de Janeiro');
    await expect.poll(() => cellText(ana, row, 'location')).toBe('Rio de Janeiro');

    expect(await editor.inputValue()).toBe('half-typed');
    await expect(editor.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await ana.keyboard.press('Enter');
    await expect.poll(() => cellText(ben, row, 'actor2')).toBe('half-typed');
  });

  it('keeps my focus on my cell when a collaborator adds and deletes rows', async () => {
    const ids = await rowIds(ana);
    const mine = ids[5]!;
    await cell(ana, mine, 'actor1').click();
    await ben.getByTestId('add-row').click();
    await expect.poll(async () => (await rowIds(ana)).length).toBe(ids.length + 1);

    // Ben deletes the first row: my row moves up a place, my focus goes with it.
    await cell(ben, ids[0]!, 'actor1').click();
    await ben.getByTestId('delete-rows').click();
    await ben.getByTestId('confirm').click();
    await expect.poll(async () => (await rowIds(ana)).includes(ids[0]!)).toBe(false);

    await expect.poll(() => cell(ana, mine, 'actor1').getAttribute('class')).toContain('ag-cell-focus');
  });
});
