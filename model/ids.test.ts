import { decodeTime } from 'ulid';
import { describe, expect, it } from 'vitest';
import { COLUMN_ID, DATASET_ID, ROW_ID, newRowId } from './ids';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('newRowId', () => {
  it('makes ULIDs that satisfy the row id rule', () => {
    for (let i = 0; i < 100; i++) {
      const id = newRowId();
      expect(id).toMatch(ULID);
      expect(id).toMatch(ROW_ID);
    }
  });

  it('encodes the time it was made', () => {
    // Ids never go back in time: one asked for before the latest made takes that one's time. Ten years on is
    // after any id another test made.
    const at = Date.now() + 10 * 365 * 86_400_000;
    expect(decodeTime(newRowId(at))).toBe(at);
  });

  it('sorts later ids after earlier ones', () => {
    const base = Date.now() + 120_000;
    const ids = [0, 1, 2, 1000, 86_400_000].map((offset) => newRowId(base + offset));
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps ids made in the same millisecond strictly increasing and unique', () => {
    const ids = Array.from({ length: 1000 }, () => newRowId());
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });
});

describe('id rules', () => {
  it('accepts row ids of 1–64 characters of [0-9A-Za-z_-]', () => {
    for (const ok of ['a', '01HQ7Z', 'row_1-b', 'x'.repeat(64)]) expect(ok).toMatch(ROW_ID);
    for (const bad of ['', 'x'.repeat(65), 'a b', 'row/1', 'é', 'a.b']) expect(bad).not.toMatch(ROW_ID);
  });

  it('accepts column ids that start with a lowercase letter', () => {
    for (const ok of ['event_date', 'a', 'actor1_country']) expect(ok).toMatch(COLUMN_ID);
    for (const bad of ['1col', 'Event', '_x', 'event-date', 'a'.repeat(64)]) expect(bad).not.toMatch(COLUMN_ID);
  });

  it('accepts dataset ids of lowercase letters, digits and dashes', () => {
    for (const ok of ['demo', '2024-korea', 'a', 'a'.repeat(63)]) expect(ok).toMatch(DATASET_ID);
    for (const bad of ['', '-demo', 'Demo', 'de_mo', 'a'.repeat(64), 'a b']) expect(bad).not.toMatch(DATASET_ID);
  });
});
