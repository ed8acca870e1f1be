import { describe, expect, it } from 'vitest';
import type { DuplicateColumns } from './columns';
import { DuplicateKeysCache, KEPT_MS, MARGIN_MS } from './keys-cache';
import type { DuplicateKeys } from './score';
import type { DuplicateKeyRecord, DuplicateStore } from './store';

const COLUMNS: DuplicateColumns = { date: 'event_date', actors: [] };

/** A sheet in memory, written at the clock's time, that counts the rows each read answers. */
function sheet() {
  const clock = { now: 1_000_000 };
  const rows = new Map<string, DuplicateKeyRecord & { at: number }>();
  const reads: number[] = [];
  let idReads = 0;
  const store: DuplicateStore = {
    async keys(_d, _s, _c, since) {
      const found = [...rows.values()].filter((r) => since === undefined || r.at >= since);
      reads.push(found.length);
      return found;
    },
    async rowCount() {
      return rows.size;
    },
    async rowIds() {
      idReads++;
      return [...rows.keys()];
    },
    async dismissed() {
      return [];
    },
    async dismiss() {
      return true;
    },
    async byDate() {
      throw new Error('The cache reads no rows in date order');
    },
    async changedDates() {
      throw new Error('The cache reads no rows by date');
    },
    async existingRows() {
      throw new Error('The cache reads the row ids whole');
    },
    async dateIndex() {},
  };
  const write = (rowId: string, date: string | null, at = clock.now) =>
    rows.set(rowId, { rowId, date, type: null, actors: [], place: null, location: null, evidence: null, at });
  const cache = new DuplicateKeysCache(store, () => clock.now);
  return { clock, rows, reads, store, write, cache, idReads: () => idReads };
}

const read = (r: DuplicateKeyRecord): DuplicateKeys | null =>
  typeof r.date === 'string' ? { row: r.rowId, from: 0, to: 0, type: String(r.date), actors: '', place: null, anchors: [] } : null;
const dates = (keys: DuplicateKeys[]) => keys.map((k) => `${k.row}:${k.type}`).sort();

describe('the duplicate keys kept between requests', () => {
  it('reads every row once, then only the rows written since the last read (and a margin before it)', async () => {
    const s = sheet();
    for (let i = 0; i < 100; i++) s.write(`r${i}`, '2024-01-01');
    s.write('undated', null);
    s.clock.now += 10 * MARGIN_MS;
    expect(await s.cache.keys('d', 'events', COLUMNS, 'v1', read)).toHaveLength(100);
    expect(s.reads).toEqual([101]);

    s.clock.now += 1000;
    s.write('r5', '2024-02-02');
    s.write('new', '2024-03-03');
    // A change made before the last read began but stored after it: within the margin, read too.
    s.write('late', '2024-04-04', s.clock.now - 1000 - MARGIN_MS + 1);
    const keys = await s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    expect(s.reads).toEqual([101, 3]);
    expect(dates(keys)).toEqual(expect.arrayContaining(['r5:2024-02-02', 'new:2024-03-03', 'late:2024-04-04']));
    expect(keys).toHaveLength(102);
  });

  it('drops a deleted row; reads every row again once the columns or actor lists changed, or the keys are old', async () => {
    const s = sheet();
    for (let i = 0; i < 10; i++) s.write(`r${i}`, '2024-01-01');
    s.clock.now += 10 * MARGIN_MS;
    await s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    await s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    expect(s.reads).toEqual([10, 0]);
    s.rows.delete('r3');
    const keys = await s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    expect(keys.map((k) => k.row)).toHaveLength(9);
    expect(keys.map((k) => k.row)).not.toContain('r3');
    expect(s.reads).toEqual([10, 0, 0]);
    expect(s.idReads()).toBe(1);
    await s.cache.keys('d', 'events', COLUMNS, 'v2', read);
    expect(s.reads).toEqual([10, 0, 0, 9]);
    s.clock.now += KEPT_MS;
    await s.cache.keys('d', 'events', COLUMNS, 'v2', read);
    expect(s.reads).toEqual([10, 0, 0, 9, 9]);
  });

  it('updates one sheet one request at a time, so an older read never overwrites a newer one', async () => {
    const s = sheet();
    s.write('a', '2024-01-01');
    s.clock.now += 10 * MARGIN_MS;
    await s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const keys = s.store.keys;
    // The first request's read of changes is slow and answers the old value; the second one's the new.
    const old = [{ ...s.rows.get('a')!, date: '2024-05-05' }];
    s.store.keys = async () => {
      s.store.keys = keys;
      await held;
      return old;
    };
    const first = s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    const second = s.cache.keys('d', 'events', COLUMNS, 'v1', read);
    s.write('a', '2024-06-06');
    release();
    expect(dates(await first)).toEqual(['a:2024-05-05']);
    expect(dates(await second)).toEqual(['a:2024-06-06']);
    // Later requests, well after: what is kept of the row is the newer value.
    s.clock.now += 10 * MARGIN_MS;
    s.write('b', '2024-07-07');
    expect(dates(await s.cache.keys('d', 'events', COLUMNS, 'v1', read))).toEqual(['a:2024-06-06', 'b:2024-07-07']);
  });
});
