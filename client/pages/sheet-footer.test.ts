import { describe, expect, it } from 'vitest';
import { footerKeys, rowCountText } from './sheet-footer';

describe("the sheet footer's words", () => {
  it('counts the rows, and under a search or filter the rows shown of all', () => {
    expect(rowCountText(40, 40)).toBe('40 rows');
    expect(rowCountText(1, 1)).toBe('1 row');
    expect(rowCountText(0, 0)).toBe('0 rows');
    expect(rowCountText(12, 40)).toBe('12 of 40 rows');
    expect(rowCountText(0, 1)).toBe('0 of 1 row');
    expect(rowCountText(1200, 100000, new Intl.NumberFormat('en'))).toBe('1,200 of 100,000 rows');
  });

  it('lists editing keys only for roles that may change rows', () => {
    for (const role of ['editor', 'admin'] as const) expect(footerKeys(role)).toMatch(/Enter\/F2 edit.*Delete clears.*Ctrl\+Z undo/);
    for (const role of ['viewer', 'reviewer'] as const) {
      expect(footerKeys(role)).not.toMatch(/edit|paste|Delete|undo|Ctrl\+V|Ctrl\+Z/);
      expect(footerKeys(role)).toMatch(/Ctrl\+C copy/);
    }
    expect(footerKeys('reviewer')).toMatch(/Ctrl\+Shift\+F flag/);
    expect(footerKeys('viewer')).not.toMatch(/flag/);
  });
});
