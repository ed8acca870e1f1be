import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { checkSizes, inflateEntry, workbookBudget, zipDirectory } from './zip';
import { MAX_XLSX_INFLATED_BYTES } from './limits';

const text = (s: string) => new TextEncoder().encode(s);

/** Overwrites the uncompressed size that the central directory declares for the first entry. */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  for (let i = copy.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      view.setUint32(view.getUint32(i + 16, true) + 24, size, true);
      return copy;
    }
  }
  throw new Error('no directory');
}

describe('zip reading', () => {
  it('lists entries and inflates one piece by piece', async () => {
    const zip = zipSync({ 'a.xml': text('<a>hello</a>'), 'b.xml': text('b') });
    const entries = zipDirectory(zip);
    expect([...entries.keys()]).toEqual(['a.xml', 'b.xml']);
    const out: string[] = [];
    await inflateEntry(zip, entries.get('a.xml')!, (chunk) => out.push(new TextDecoder().decode(chunk)));
    expect(out.join('')).toBe('<a>hello</a>');
  });

  it('refuses a part whose declared size means a zip bomb, before inflating it', () => {
    const zip = zipSync({ 'sheet.xml': new Uint8Array(8 * 1024 * 1024).fill(0x20) }, { level: 9 });
    expect(() => checkSizes([...zipDirectory(zip).values()])).toThrow(/zip bomb/);
  });

  it('stops inflating at the declared size when the directory lies', async () => {
    const zip = declareSize(zipSync({ 'sheet.xml': new Uint8Array(4 * 1024 * 1024).fill(0x20) }), 1000);
    const entry = zipDirectory(zip).get('sheet.xml')!;
    expect(entry.size).toBe(1000);
    expect(() => checkSizes([entry])).not.toThrow();
    let inflated = 0;
    await expect(inflateEntry(zip, entry, (chunk) => { inflated += chunk.length; })).rejects.toThrow(/declared size/);
    expect(inflated).toBeLessThanOrEqual(1000);
  });

  it('inflates no more than a piece past the declared size, however far the entry would go', async () => {
    // 16 MiB of zeros deflate to about 16 KB: inflated whole at once, they would all be in memory
    // before the first check.
    const zip = declareSize(zipSync({ 'sheet.xml': new Uint8Array(16 * 1024 * 1024) }), 1000);
    const entry = zipDirectory(zip).get('sheet.xml')!;
    const budget = workbookBudget();
    await expect(inflateEntry(zip, entry, () => undefined, undefined, budget)).rejects.toThrow(/declared size/);
    const inflated = MAX_XLSX_INFLATED_BYTES - budget.left;
    expect(inflated).toBeGreaterThan(1000);
    expect(inflated).toBeLessThan(1000 + 100 * 1024);
  });

  it('stops at the workbook\'s budget across its parts', async () => {
    const zip = zipSync({ 'a.xml': new Uint8Array(3000).fill(0x20), 'b.xml': new Uint8Array(3000).fill(0x20) });
    const entries = zipDirectory(zip);
    const budget = { left: 5000 };
    await inflateEntry(zip, entries.get('a.xml')!, () => undefined, undefined, budget);
    expect(budget.left).toBe(2000);
    await expect(inflateEntry(zip, entries.get('b.xml')!, () => undefined, undefined, budget)).rejects.toThrow(/more than 512 MiB/);
  });

  it('refuses bytes that are no zip', () => {
    expect(() => zipDirectory(text('notes\r\nx\r\n'))).toThrow(/not a readable XLSX/);
  });
});
