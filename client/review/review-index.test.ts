import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { addComment, addFlag, findFlag, resolveFlag } from '../../model/reviews';
import { ReviewIndex } from './review-index';

const flag = (id: string, column: string | null) => ({
  id, sheet: 'events', column, reason: 'wrong_date', note: 'check', by: 'rita', at: `2024-02-22T10:00:0${id.length}Z`,
});

describe('the live index of flags', () => {
  it('finds open flags by row and by cell, and reports exactly the rows a change touched', () => {
    const doc = new Y.Doc();
    addFlag(doc, 'r0', flag('f0', null));
    const index = new ReviewIndex(doc);
    expect(index.openRowFlags('r0').map((f) => f.id)).toEqual(['f0']);

    const touched: string[][] = [];
    index.onChange((rows) => touched.push([...rows]));
    doc.transact(() => addFlag(doc, 'r1', flag('f1', 'event_date')));
    expect(touched).toEqual([['r1']]);
    expect(index.status('r1')).toBe('flagged');
    expect(index.openCellFlags('r1', 'event_date').map((f) => f.id)).toEqual(['f1']);
    expect(index.openCellFlags('r1', 'actor1')).toEqual([]);
    expect(index.openCount).toBe(2);

    const found = findFlag(doc, 'f1')!;
    doc.transact(() => addComment(found.flag, { id: 'c1', by: 'ana', at: '2024-02-22T11:00:00Z', text: 'Fixed' }));
    expect(index.flag('f1')?.comments.map((c) => c.text)).toEqual(['Fixed']);
    doc.transact(() => resolveFlag(doc, 'r1', found.flag, 'rita', '2024-02-22T12:00:00Z', 'ok'));
    expect(touched.at(-1)).toEqual(['r1']);
    expect(index.openCellFlags('r1', 'event_date')).toEqual([]);
    expect(index.flag('f1')).toMatchObject({ status: 'resolved', resolution: 'ok' });
    expect(index.status('r1')).toBe('unreviewed');
    expect(index.openCount).toBe(1);
  });
});
