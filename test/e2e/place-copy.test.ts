/**
 * Copying a place cell and pasting it in Tessera keeps the whole place (coordinates, precision, gazetteer
 * id); the clipboard's text is its name for other programs, and a paste of text from elsewhere stays a
 * name to be picked.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { type CreatedUser, createUser } from '../helpers/api';
import { cell, pasteIntoFocused, seededSheet } from './browser';
import { browserSuite } from './fixtures';

const e2e = browserSuite();
let editor: CreatedUser;

const RIO = { name: 'Rio de Janeiro', country: 'BRA', lat: -22.90642, lon: -43.18223, precision: 2, geonameid: 3451190 } as const;
const event = (values: Record<string, CellValue>): Record<string, CellValue> => ({
  event_date: '2024-02-22', date_precision: 'day', actor1: 'United States', event_type: 'COOPERATE', summary: 'Allies meet.', ...values,
});

beforeAll(async () => {
  editor = await createUser(e2e.server, 'Ana Copier', 'editor');
});

describe('copying a place', () => {
  it('pastes the whole place in Tessera, and only its name to other programs', async () => {
    const sheet = await seededSheet(e2e.browser, e2e.server, editor.token, 'events', [event({ place: RIO }), event({}), event({})]);
    try {
      const { page, rows, serverCell } = sheet;
      await cell(page, rows[0]!, 'place').click();
      const clipboard = await page.evaluate(() => {
        const transfer = new DataTransfer();
        (document.activeElement ?? document.body).dispatchEvent(new ClipboardEvent('copy', { clipboardData: transfer, bubbles: true, cancelable: true }));
        return { text: transfer.getData('text/plain'), cells: transfer.getData('application/x-tessera-cells+json') };
      });
      expect(clipboard.text).toBe('Rio de Janeiro');

      await cell(page, rows[1]!, 'place').click();
      await page.evaluate((data) => {
        const transfer = new DataTransfer();
        transfer.setData('text/plain', data.text);
        transfer.setData('application/x-tessera-cells+json', data.cells);
        (document.activeElement ?? document.body).dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
      }, clipboard);
      await expect.poll(() => serverCell(rows[1]!, 'place')).toEqual(RIO);

      // The same name from another program is a name only, to be picked from the gazetteer.
      await cell(page, rows[2]!, 'place').click();
      await pasteIntoFocused(page, clipboard.text);
      await expect.poll(() => (serverCell(rows[2]!, 'place') as { name?: string } | undefined)?.name).toBe('Rio de Janeiro');
      expect(serverCell(rows[2]!, 'place')).not.toEqual(RIO);
      expect((serverCell(rows[2]!, 'place') as { lat?: unknown }).lat ?? null).toBeNull();
    } finally {
      await sheet.close();
    }
  });
});
