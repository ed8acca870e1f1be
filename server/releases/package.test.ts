import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Column } from '../../model/columns';
import type { ReleaseRecord } from '../storage';
import { columnField, packageZip, PARTIAL_DATE_PATTERN } from './package';
import type { Snapshot } from './snapshot';

const columns: Column[] = [
  { id: 'when', name: 'When', type: 'date', required: true },
  { id: 'kind', name: 'Kind', type: 'enum', options: ['a', 'b'], optionLabels: { a: 'Alpha' } },
  { id: 'tags', name: 'Tags', type: 'multi', options: ['x'] },
  { id: 'n', name: 'N', type: 'integer' },
];
const snapshot: Snapshot = {
  dataset: { id: 'd', name: 'D' },
  sheets: [{ id: 'events', name: 'Events', columns, rows: [
    { row_id: 'r1', when: '2024-02', kind: 'a', tags: ['x'], n: 3, review_status: 'unreviewed', open_flags: 0, created_by: 'ann', created_at: '2024-01-01T00:00:00.000Z', updated_by: 'ann', updated_at: '2024-01-01T00:00:00.000Z' },
    { row_id: 'r2', when: '=2024', kind: null, tags: [], n: null, review_status: 'approved', open_flags: 0, created_by: 'ann', created_at: '2024-01-01T00:00:00.000Z', updated_by: 'ann', updated_at: '2024-01-01T00:00:00.000Z' },
  ] }],
};
const release: ReleaseRecord = { version: '1.0', createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'ann', notes: '', rowFilter: 'all', rows: { events: 2 }, sha256: '' };

describe('the release package', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('zips to the same bytes whenever it is made', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // only the clock: the zip is built across event-loop turns
    vi.setSystemTime(new Date('2026-03-01T10:00:00Z'));
    const first = await packageZip({ release, snapshot, sources: [] });
    vi.setSystemTime(new Date('2027-09-17T23:59:59Z'));
    const again = await packageZip({ release, snapshot, sources: [] });
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
  });

  it('writes the CSV as typed (no formula prefix) and types columns for Table Schema', async () => {
    const files = unzipSync(await packageZip({ release, snapshot, sources: [] }));
    const csv = strFromU8(files['data/events.csv']!);
    expect(csv.split('\r\n')[2]).toMatch(/^r2,=2024,,,,approved,/);
    expect(columnField(columns[0]!)).toMatchObject({ type: 'string', constraints: { required: true, pattern: PARTIAL_DATE_PATTERN } });
    expect(columnField(columns[1]!)).toMatchObject({ type: 'string', constraints: { enum: ['a', 'b'] } });
    expect(columnField(columns[2]!).constraints).toBeUndefined();
    expect(columnField(columns[3]!).type).toBe('integer');
    for (const value of ['2024', '2024-02', '2024-02-22']) expect(new RegExp(PARTIAL_DATE_PATTERN).test(value)).toBe(true);
    expect(new RegExp(PARTIAL_DATE_PATTERN).test('22/02/2024')).toBe(false);
  });
});
