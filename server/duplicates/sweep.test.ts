import { describe, expect, it } from 'vitest';
import { trickyDuplicateRows as tricky } from '../../test/helpers/duplicate-rows';
import { datePages, keyReader } from './duplicates';
import type { DuplicateColumns } from './columns';
import { type Comparable, type DuplicateGroup, type DuplicateKeys, findDuplicates } from './score';
import type { DatePosition, DuplicateKeyRecord, DuplicateStore } from './store';
import { sweepDuplicates, type SweepStats } from './sweep';

const ALL: Comparable = { type: true, actors: true, place: true, evidence: true };
const COLUMNS: DuplicateColumns = { date: 'event_date', type: 'event_type', actors: ['actor1', 'actor2'], place: 'place', location: 'location', evidence: 'evidence' };

/** A store that answers the records by date as the databases do: those with a date cell, by its text (ignoring case) then row id. */
function storeOf(records: readonly DuplicateKeyRecord[]): Pick<DuplicateStore, 'byDate'> {
  const keyOf = (r: DuplicateKeyRecord): string | null => {
    const text = typeof r.date === 'string' ? r.date : r.date === null || r.date === undefined ? null : JSON.stringify(r.date);
    return text === null || text === '' || text === '[]' ? null : text.toLowerCase();
  };
  const sorted = records.flatMap((r) => {
    const key = keyOf(r);
    return key === null ? [] : [{ ...r, position: { key, rowId: r.rowId } }];
  }).sort((a, b) => (a.position.key < b.position.key ? -1 : a.position.key > b.position.key ? 1 : a.rowId < b.rowId ? -1 : 1));
  const afterOf = (p: DatePosition, after: DatePosition) => p.key > after.key || (p.key === after.key && p.rowId > after.rowId);
  return {
    async byDate(_d, _s, _c, after, limit) {
      const from = after ? sorted.findIndex((r) => afterOf(r.position, after)) : 0;
      return from < 0 ? [] : sorted.slice(from, from + limit);
    },
  };
}

async function swept(records: readonly DuplicateKeyRecord[], days: number, sheet: Comparable, dismissed: string[][] = [], pageSize = 7, stats?: SweepStats) {
  const read = keyReader([undefined, undefined], sheet.type);
  return sweepDuplicates(datePages(storeOf(records) as DuplicateStore, 'd', 's', COLUMNS, read, pageSize), days, sheet, dismissed, stats);
}

function compared(records: readonly DuplicateKeyRecord[], days: number, sheet: Comparable, dismissed: string[][] = []): DuplicateGroup[] {
  const read = keyReader([undefined, undefined], sheet.type);
  // In another order than the sweep's: the groups must not depend on it.
  const keys = [...records].reverse().map(read).filter((k): k is DuplicateKeys => k !== null);
  return findDuplicates(keys, days, sheet, dismissed);
}

describe('sweepDuplicates', () => {
  it('finds the groups that comparing every row finds, on a sheet of tricky rows', async () => {
    for (const seed of [1, 2, 3]) {
      const records = tricky(1500, seed);
      for (const days of [0, 1, 3, 30]) {
        const expected = compared(records, days, ALL);
        expect(expected.length).toBeGreaterThan(20);
        expect(await swept(records, days, ALL)).toEqual(expected);
      }
    }
  });

  it('groups month- and year-only dates with the same partial date only, as comparing every row does', async () => {
    const records = tricky(1500, 4);
    const groups = compared(records, 1, ALL);
    const dateOf = new Map(records.map((r) => [r.rowId, r.date]));
    const partial = groups.filter((g) => g.rows.some((id) => String(dateOf.get(id)).length < 10));
    expect(partial.length).toBeGreaterThan(5);
    for (const g of partial) expect(new Set(g.rows.map((id) => dateOf.get(id))).size).toBe(1);
    expect(await swept(records, 1, ALL)).toEqual(groups);
  });

  it('keeps dismissed rows apart as comparing every row does', async () => {
    const records = tricky(1500, 5);
    const before = compared(records, 1, ALL);
    const dismissed = before.filter((_, i) => i % 3 === 0).map((g) => g.rows.slice(0, 2));
    const after = compared(records, 1, ALL, dismissed);
    expect(after).not.toEqual(before);
    expect(await swept(records, 1, ALL, dismissed)).toEqual(after);
  });

  it('agrees on sheets that compare less: no event type, no actors, no evidence', async () => {
    const records = tricky(1200, 6);
    for (const sheet of [{ ...ALL, type: false }, { ...ALL, actors: false }, { ...ALL, evidence: false }, { ...ALL, place: false }]) {
      expect(await swept(records, 2, sheet)).toEqual(compared(records, 2, sheet));
    }
  });

  it('gives the same groups whatever the page size', async () => {
    const records = tricky(800, 7);
    const expected = compared(records, 1, ALL);
    for (const size of [1, 2, 50, 10_000]) expect(await swept(records, 1, ALL, [], size)).toEqual(expected);
  });

  it('holds a window of days, not the sheet', async () => {
    // A year of days, 20 rows each, all of one type and one pair of actors: each row meets those of the day before.
    const records: DuplicateKeyRecord[] = [];
    for (let d = 0; d < 365; d++) {
      const date = new Date(Date.UTC(2024, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      for (let k = 0; k < 20; k++) {
        records.push({ rowId: `R${d}-${k}`, date, type: 'CONSULT', actors: [`A${k}`, 'B'], place: null, location: null, evidence: null });
      }
    }
    const stats: SweepStats = { rows: 0, largestWindow: 0 };
    const groups = await swept(records, 1, ALL, [], 100, stats);
    expect(stats.rows).toBe(365 * 20);
    // The rows of a day and of the day before, and nothing older.
    expect(stats.largestWindow).toBe(40);
    expect(groups).toEqual(compared(records, 1, ALL));
  });
});
