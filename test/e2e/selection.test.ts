/**
 * The selected block follows the pointer and the keys at once: whatever the user clicked or moved to
 * last is what Delete clears, typing fills and paste starts at, however fast the next key comes.
 * Each test has its own dataset and browser profile; the server's document is checked through a
 * stock client.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CreatedUser, createUser } from '../helpers/api';
import { type SeededSheet, cell, clickThenPress, pasteIntoFocused, seededSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;
let sheet: SeededSheet | undefined;

/** Columns in display order, left to right. */
const COLUMNS = ['actor1', 'actor1_country', 'actor2', 'actor2_country', 'location'] as const;
const ROWS = 4;
/** Every seeded cell has a value of its own: `actor1 r2` and so on. */
const seed = () => Array.from({ length: ROWS }, (_, r) => Object.fromEntries(COLUMNS.map((c) => [c, `${c} r${r}`])));

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Sel Ector', 'editor');
});

afterEach(async () => {
  await sheet?.close();
  sheet = undefined;
});

async function open(): Promise<SeededSheet> {
  sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events', seed());
  return sheet;
}

/** The server's values of every seeded cell, `null` where one is empty. */
function serverValues(s: SeededSheet): Array<Array<string | null>> {
  return s.rows.map((row) => COLUMNS.map((c) => (s.serverCell(row, c) as string | undefined) ?? null));
}

/** The seeded values with the cells at `[row, column index]` replaced. */
function expected(changes: Array<[number, number, string | null]>): Array<Array<string | null>> {
  const values: Array<Array<string | null>> = seed().map((row) => COLUMNS.map((c) => row[c] as string));
  for (const [r, c, v] of changes) values[r]![c] = v;
  return values;
}

/** Selects a 2×2 block from (row 0, actor1) with Shift+arrows and waits until it shows. */
async function selectBlock(s: SeededSheet): Promise<void> {
  await cell(s.page, s.rows[0]!, 'actor1').click();
  await s.page.keyboard.press('Shift+ArrowRight');
  await s.page.keyboard.press('Shift+ArrowDown');
  await expect.poll(() => s.page.locator('.ag-cell.cell-in-block').count()).toBe(4);
}

describe('the selected block', () => {
  it('clears only the clicked cell when Delete comes right after a click that ends a block', async () => {
    const s = await open();
    await selectBlock(s);
    await clickThenPress(s.page, cell(s.page, s.rows[3]!, 'actor2'), 'Delete');

    await expect.poll(() => s.serverCell(s.rows[3]!, 'actor2')).toBeUndefined();
    // One Delete is one change: the old block's cells were left alone by it.
    expect(serverValues(s)).toEqual(expected([[3, 2, null]]));
    expect(await s.page.locator('.ag-cell.cell-in-block').count()).toBe(0);
  });

  it('grows the block to a Shift+clicked cell, and Delete clears all of it', async () => {
    const s = await open();
    await cell(s.page, s.rows[0]!, 'actor1_country').click();
    await cell(s.page, s.rows[2]!, 'actor2_country').click({ modifiers: ['Shift'] });
    await s.page.keyboard.press('Delete');

    const cleared: Array<[number, number, null]> = [];
    for (let r = 0; r <= 2; r++) for (let c = 1; c <= 3; c++) cleared.push([r, c, null]);
    await expect.poll(() => serverValues(s)).toEqual(expected(cleared));
  });

  it('sends typing and a paste to the cell clicked after a block, not to the block', async () => {
    const s = await open();
    await selectBlock(s);
    await cell(s.page, s.rows[3]!, 'location').click();
    await s.page.keyboard.type('Busan');
    await s.page.keyboard.press('Enter');
    await expect.poll(() => s.serverCell(s.rows[3]!, 'location')).toBe('Busan');
    expect(serverValues(s)).toEqual(expected([[3, 4, 'Busan']]));

    // One value pasted onto a block fills the block; after a click it fills the clicked cell only.
    await selectBlock(s);
    await cell(s.page, s.rows[2]!, 'location').click();
    await pasteIntoFocused(s.page, 'Pasted');
    await expect.poll(() => s.serverCell(s.rows[2]!, 'location')).toBe('Pasted');
    expect(serverValues(s)).toEqual(expected([[3, 4, 'Busan'], [2, 4, 'Pasted']]));
  });

  it('clears the cell the arrows or Tab moved to, not the block they left', async () => {
    const s = await open();
    await selectBlock(s);
    // The focus is at the block's far corner (row 1, actor1_country); ArrowDown leaves the block.
    await s.page.keyboard.press('ArrowDown');
    await s.page.keyboard.press('Delete');
    await expect.poll(() => s.serverCell(s.rows[2]!, 'actor1_country')).toBeUndefined();
    expect(serverValues(s)).toEqual(expected([[2, 1, null]]));

    await selectBlock(s);
    // ArrowUp stays inside the block: the block is gone all the same, only the focused cell is cleared.
    await s.page.keyboard.press('ArrowUp');
    await s.page.keyboard.press('Delete');
    await expect.poll(() => s.serverCell(s.rows[0]!, 'actor1_country')).toBeUndefined();
    expect(serverValues(s)).toEqual(expected([[2, 1, null], [0, 1, null]]));

    await selectBlock(s);
    await s.page.keyboard.press('Tab');
    await s.page.keyboard.press('Delete');
    await expect.poll(() => s.serverCell(s.rows[1]!, 'actor2')).toBeUndefined();
    expect(serverValues(s)).toEqual(expected([[2, 1, null], [0, 1, null], [1, 2, null]]));
  });
  it('keeps the block on a right-click inside it, and starts a new one on a right-click outside', async () => {
    const s = await open();
    await selectBlock(s);
    await cell(s.page, s.rows[0]!, 'actor1_country').click({ button: 'right' });
    await s.page.getByTestId('context-menu').waitFor();
    expect(await s.page.locator('.ag-cell.cell-in-block').count()).toBe(4);
    await s.page.keyboard.press('Escape');
    await s.page.getByTestId('context-menu').waitFor({ state: 'detached' });

    await cell(s.page, s.rows[3]!, 'location').click({ button: 'right' });
    await expect.poll(() => s.page.locator('.ag-cell.cell-in-block').count()).toBe(0);
  });
});
