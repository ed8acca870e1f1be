import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { diffSnapshots } from './diff';
import { openSnapshot, type Snapshot, type SnapshotRow, SnapshotWriter, wholeSnapshot } from './snapshot';

const columns = [{ id: 'actor', name: 'Actor', type: 'text' as const }];
const row = (id: string, actor: string) => ({ row_id: id, actor, review_status: 'unreviewed', open_flags: 0 });
const snapshot = (rows: Array<[string, string]>): Snapshot => ({
  dataset: { id: 'd', name: 'D' },
  sheets: [{ id: 'events', name: 'Events', columns, rows: rows.map(([id, actor]) => row(id, actor)) }, { id: 'empty', name: 'Empty', columns, rows: [] }],
});

async function stored(whole: Snapshot): Promise<Buffer[]> {
  const opened = wholeSnapshot(whole);
  const writer = new SnapshotWriter(opened.head);
  for await (const r of opened.rows) await writer.add(r);
  return writer.finish();
}

async function rowsOf(bytes: Uint8Array | Uint8Array[]): Promise<SnapshotRow[]> {
  const rows: SnapshotRow[] = [];
  for await (const r of (await openSnapshot(bytes)).rows) rows.push(r);
  return rows;
}

describe('a release snapshot', () => {
  it('reads back, a row at a time, what was written a row at a time', async () => {
    const whole = snapshot(Array.from({ length: 5000 }, (_, i) => [`r${String(i).padStart(5, '0')}`, `Actor "${i}"\nwith a line break`]));
    const bytes = await stored(whole);
    expect((await openSnapshot(bytes)).head).toEqual({ dataset: whole.dataset, sheets: whole.sheets.map(({ id, name, columns: c }) => ({ id, name, columns: c })) });
    expect(await rowsOf(bytes)).toEqual(whole.sheets[0]!.rows.map((r) => [0, r]));
  });

  it('reads a snapshot stored before, as one JSON document', async () => {
    const whole = snapshot([['a', 'China'], ['b', 'Japan']]);
    const bytes = gzipSync(JSON.stringify(whole));
    expect((await openSnapshot(bytes)).head.sheets.map((s) => s.id)).toEqual(['events', 'empty']);
    expect(await rowsOf(bytes)).toEqual([[0, row('a', 'China')], [0, row('b', 'Japan')]]);
  });

  it('diffs two releases whatever order their rows come in', async () => {
    const before = snapshot([['a', 'China'], ['b', 'Japan'], ['c', 'Korea']]);
    const after = snapshot([['d', 'Peru'], ['c', 'North Korea'], ['a', 'China']]);
    const diff = await diffSnapshots(await openSnapshot(await stored(before)), await openSnapshot(await stored(after)));
    expect(diff.sheets.events).toEqual({ added: ['d'], removed: ['b'], changed: [{ row: 'c', column: 'actor', old: 'Korea', new: 'North Korea' }] });
    expect(diff.sheets.empty).toEqual({ added: [], removed: [], changed: [] });
  });

  it('diffs rows whose ids a line writes with escapes as any other', async () => {
    const before = snapshot([['say "hi"', 'China'], ['back\\slash', 'Japan'], ['plain', 'Korea']]);
    const after = snapshot([['say "hi"', 'China'], ['back\\slash', 'Nepal'], ['new "one"', 'Peru']]);
    const diff = await diffSnapshots(await openSnapshot(await stored(before)), await openSnapshot(await stored(after)));
    expect(diff.sheets.events).toEqual({ added: ['new "one"'], removed: ['plain'], changed: [{ row: 'back\\slash', column: 'actor', old: 'Japan', new: 'Nepal' }] });
  });

  it('tells a row that moved to another sheet from one that stayed, though both are written alike', async () => {
    // The same row at the same place of the file, but the sheet at that place is another one now.
    const before: Snapshot = { dataset: { id: 'd', name: 'D' }, sheets: [
      { id: 'events', name: 'Events', columns, rows: [row('a', 'China')] }, { id: 'actors', name: 'Actors', columns, rows: [] },
    ] };
    const after: Snapshot = { dataset: { id: 'd', name: 'D' }, sheets: [
      { id: 'actors', name: 'Actors', columns, rows: [row('a', 'China')] }, { id: 'events', name: 'Events', columns, rows: [] },
    ] };
    const diff = await diffSnapshots(await openSnapshot(await stored(before)), await openSnapshot(await stored(after)));
    expect(diff.sheets).toEqual({
      actors: { added: ['a'], removed: [], changed: [] },
      events: { added: [], removed: ['a'], changed: [] },
    });
  });
});
