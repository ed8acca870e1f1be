import { describe, expect, it } from 'vitest';
import { trickyDuplicateRows as tricky } from '../../test/helpers/duplicate-rows';
import type { DuplicateColumns } from './columns';
import { datePages, keyReader } from './duplicates';
import { KEPT_MS, MARGIN_MS } from './keys-cache';
import { type Comparable, type DuplicateKeys, findDuplicates } from './score';
import type { DatePosition, DuplicateKeyRecord, DuplicateStore } from './store';
import { groupsOf } from './sweep';
import { dateRanges, MAX_CHANGED, SweptPairs } from './swept-pairs';

const ALL: Comparable = { type: true, actors: true, place: true, evidence: true };
const COLUMNS: DuplicateColumns = { date: 'event_date', type: 'event_type', actors: ['actor1', 'actor2'], place: 'place', location: 'location', evidence: 'evidence' };

/** The date index's key of a record's date cell, as the databases make it (its text ignoring case; null when empty). */
const keyOf = (r: DuplicateKeyRecord): string | null => {
  const text = typeof r.date === 'string' ? r.date : r.date === null || r.date === undefined ? null : JSON.stringify(r.date);
  return text === null || text === '' || text === '[]' ? null : text.toLowerCase();
};

/** A sheet in memory, each row written at the clock's time, read as the databases read it. */
function sheet(records: readonly DuplicateKeyRecord[]) {
  const clock = { now: 10_000_000 };
  // The sheet was written well before it is first swept.
  const rows = new Map<string, DuplicateKeyRecord & { at: number }>(records.map((r) => [r.rowId, { ...r, at: clock.now - 10 * MARGIN_MS }]));
  const afterOf = (p: DatePosition, after: DatePosition) => p.key > after.key || (p.key === after.key && p.rowId > after.rowId);
  /** The rows in date order, made again after each write. */
  let inOrder: Array<DuplicateKeyRecord & { position: DatePosition }> | undefined;
  const store: DuplicateStore = {
    async byDate(_d, _s, _c, after, limit) {
      const sorted = inOrder ??= [...rows.values()].flatMap((r) => {
        const key = keyOf(r);
        return key === null ? [] : [{ ...r, position: { key, rowId: r.rowId } }];
      }).sort((a, b) => (a.position.key < b.position.key ? -1 : a.position.key > b.position.key ? 1 : a.rowId < b.rowId ? -1 : 1));
      const from = after ? sorted.findIndex((r) => afterOf(r.position, after)) : 0;
      return from < 0 ? [] : sorted.slice(from, from + limit);
    },
    async changedDates(_d, _s, _c, since, limit) {
      return [...rows.values()].filter((r) => r.at >= since).slice(0, limit).map((r) => ({ rowId: r.rowId, key: keyOf(r) }));
    },
    async existingRows(_d, _s, ids) {
      return new Set(ids.filter((id) => rows.has(id)));
    },
    async rowCount() {
      return rows.size;
    },
    keys: async () => { throw new Error('A sweep reads in date order'); },
    rowIds: async () => { throw new Error('A sweep reads no row ids'); },
    dismissed: async () => [],
    dismiss: async () => true,
    dateIndex: async () => {},
  };
  const swept = new SweptPairs(() => clock.now);
  const groups = async (days: number, of: Comparable = ALL, dismissed: string[][] = [], version = 'v') => {
    const read = keyReader([undefined, undefined], of.type);
    const pairs = await swept.pairs('d', 's', days, version, { columns: COLUMNS, sheet: of },
      (store, between) => datePages(store, 'd', 's', COLUMNS, read, 7, between), (reads) => reads(store));
    return groupsOf(pairs, days, dismissed);
  };
  /** The groups of comparing every row with every other, as the sheet is now. */
  const expected = (days: number, of: Comparable = ALL, dismissed: string[][] = []) => {
    const read = keyReader([undefined, undefined], of.type);
    return findDuplicates([...rows.values()].map(read).filter((k): k is DuplicateKeys => k !== null), days, of, dismissed);
  };
  const write = (record: DuplicateKeyRecord, at = clock.now) => {
    rows.set(record.rowId, { ...record, at });
    inOrder = undefined;
  };
  const remove = (rowId: string) => {
    rows.delete(rowId);
    inOrder = undefined;
  };
  return { clock, rows, swept, groups, expected, write, remove };
}

describe('SweptPairs', () => {
  it('gives the groups of a fresh sweep after edits, sweeping only around the rows written', async () => {
    for (const seed of [11, 12]) {
      const s = sheet(tricky(1500, seed));
      for (const days of [0, 1, 3]) expect(await s.groups(days)).toEqual(s.expected(days));
      expect(s.swept.last).toMatchObject({ whole: true, rows: expect.any(Number) });
      const all = s.swept.last!.rows;

      // Nothing written: nothing read again.
      expect(await s.groups(1)).toEqual(s.expected(1));
      expect(s.swept.last).toEqual({ whole: false, rows: 0, written: 0 });

      const grouped = s.expected(1);
      const [first, second, third] = [grouped[0]!, grouped[1]!, grouped[2]!];
      // A row of a group moves its date far away.
      s.write({ ...s.rows.get(first.rows[0]!)!, date: '1999-06-15' });
      s.clock.now += 2 * MARGIN_MS;
      expect(await s.groups(1)).toEqual(s.expected(1));
      expect(s.swept.last).toMatchObject({ whole: false, written: 1 });
      expect(s.swept.last!.rows).toBeLessThan(all / 2);

      // A row of another group is deleted.
      s.remove(second.rows[0]!);
      s.clock.now += 2 * MARGIN_MS;
      expect(await s.groups(1)).toEqual(s.expected(1));
      expect(s.swept.last).toMatchObject({ whole: false, written: 0 });

      // A new row joins a group: a copy of one of its rows, under a new id.
      s.write({ ...s.rows.get(third.rows[0]!)!, rowId: 'R-new' });
      s.clock.now += 2 * MARGIN_MS;
      const after = s.expected(1);
      expect(after.find((g) => g.rows.includes(third.rows[0]!))?.rows).toContain('R-new');
      expect(await s.groups(1)).toEqual(after);

      // A row whose date becomes no date, one whose actors change, one dated to a month and one to a year, at once;
      // each `days` kept apart agrees too.
      const ids = [...s.rows.keys()];
      s.write({ ...s.rows.get(ids[10]!)!, date: 'soon' });
      s.write({ ...s.rows.get(ids[20]!)!, actors: ['South Korea', 'China'] });
      s.write({ ...s.rows.get(ids[30]!)!, date: '2024-02' });
      s.write({ ...s.rows.get(ids[40]!)!, date: '2023' });
      s.clock.now += 2 * MARGIN_MS;
      for (const days of [0, 1, 3]) expect(await s.groups(days)).toEqual(s.expected(days));
      expect(s.swept.last).toMatchObject({ whole: false });
    }
  });

  it('reads again the rows written within the margin before the last read began', async () => {
    const s = sheet(tricky(600, 13));
    await s.groups(1);
    // Written a little before the sweep began (stored late), so the sweep may not have seen it.
    const id = s.expected(1)[0]!.rows[0]!;
    s.write({ ...s.rows.get(id)!, date: '2020-01-01' }, s.clock.now - MARGIN_MS / 2);
    expect(await s.groups(1)).toEqual(s.expected(1));
    expect(s.swept.last).toMatchObject({ whole: false, written: 1 });
  });

  it('leaves dismissed rows apart, and sweeps all again when the version changes, when too many rows changed, or once the pairs are old', async () => {
    const s = sheet(tricky(600, 14));
    const dismissed = s.expected(1).slice(0, 3).map((g) => g.rows.slice(0, 2));
    expect(await s.groups(1, ALL, dismissed)).toEqual(s.expected(1, ALL, dismissed));
    expect(await s.groups(1, ALL, [])).toEqual(s.expected(1));
    expect(s.swept.last?.whole).toBe(false);
    const sheetWithoutType = { ...ALL, type: false };
    expect(await s.groups(1, sheetWithoutType, [], 'other columns')).toEqual(s.expected(1, sheetWithoutType));
    expect(s.swept.last?.whole).toBe(true);
    s.clock.now += KEPT_MS;
    expect(await s.groups(1, sheetWithoutType, [], 'other columns')).toEqual(s.expected(1, sheetWithoutType));
    expect(s.swept.last?.whole).toBe(true);
    for (let i = 0; i <= MAX_CHANGED; i++) s.write({ rowId: `X${i}`, date: null, type: null, actors: [], place: null, location: null, evidence: null });
    expect(await s.groups(1, sheetWithoutType, [], 'other columns')).toEqual(s.expected(1, sheetWithoutType));
    expect(s.swept.last?.whole).toBe(true);
  });
});

describe('dateRanges', () => {
  it('reads the days either side of a day, a partial date alone, nothing for no date; overlapping ranges joined', () => {
    const at = (key: string | null) => ({ rowId: 'r', key });
    expect(dateRanges([at('2024-03-01'), at('2024-02'), at('soon'), at(null), at('2024-03-02'), at('2024-06-30')], 1)).toEqual([
      { from: '2024-02', to: '2024-02' }, { from: '2024-02-29', to: '2024-03-03' }, { from: '2024-06-29', to: '2024-07-01' },
    ]);
    // '2024-02' sorts between the last of January and the first of February: inside that range.
    expect(dateRanges([at('2024-02-01'), at('2024-02')], 1)).toEqual([{ from: '2024-01-31', to: '2024-02-02' }]);
    expect(dateRanges([at('0000-01-01'), at('9999-12-31')], 3)).toEqual([{ from: '0000', to: '0000-01-04' }, { from: '9999-12-28', to: '9999-12-31' }]);
  });
});
