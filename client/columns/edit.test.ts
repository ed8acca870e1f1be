import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { getSheet, initDocument, readColumns } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { addColumn, changeColumnType, checkNewColumn, columnIdFromName, deleteColumn, moveColumn, updateColumn } from './edit';

function doc(): Y.Doc {
  const d = new Y.Doc();
  initDocument(d, 'test', TEMPLATES['events-statements']);
  return d;
}
const ids = (d: Y.Doc) => readColumns(getSheet(d, 'events')!).map((c) => c.id);
const column = (d: Y.Doc, id: string) => readColumns(getSheet(d, 'events')!).find((c) => c.id === id);

describe('column administration', () => {
  it('makes ids from names that fit the id rule and do not clash', () => {
    expect(columnIdFromName('Actor 1 country', new Set())).toBe('actor_1_country');
    expect(columnIdFromName('Lieu précis', new Set())).toBe('lieu_precis');
    expect(columnIdFromName('2nd source', new Set())).toBe('col_2nd_source');
    expect(columnIdFromName('Location', new Set(['location']))).toBe('location_2');
  });

  it('refuses a new column whose id is taken or malformed', () => {
    const existing = readColumns(getSheet(doc(), 'events')!);
    expect(checkNewColumn({ id: 'location', name: 'Location', type: 'text' }, existing)).toMatch(/already/);
    expect(checkNewColumn({ id: 'Bad-Id', name: 'x', type: 'text' }, existing)).toMatch(/start with a letter/);
    expect(checkNewColumn({ id: 'fine', name: 'Fine', type: 'text' }, existing)).toBeNull();
  });

  it('adds, renames, describes and requires a column', () => {
    const d = doc();
    addColumn(d, 'events', { id: 'coder', name: 'Coder', type: 'text' }, 'me');
    expect(ids(d).at(-1)).toBe('coder');
    updateColumn(d, 'events', 'coder', { name: 'Coded by', description: 'Initials', required: true }, 'me');
    expect(column(d, 'coder')).toEqual({ id: 'coder', name: 'Coded by', type: 'text', required: true, description: 'Initials' });
    updateColumn(d, 'events', 'coder', { required: false, description: '' }, 'me');
    expect(column(d, 'coder')).toEqual({ id: 'coder', name: 'Coded by', type: 'text' });
  });

  it('moves a column in the display order', () => {
    const d = doc();
    moveColumn(d, 'events', 'actor1', -2, 'me');
    expect(ids(d).slice(0, 3)).toEqual(['actor1', 'event_date', 'date_precision']);
    expect(column(d, 'actor1')?.required).toBe(true);
  });

  it('changes a type and drops the codes the new type does not use', () => {
    const d = doc();
    changeColumnType(d, 'events', 'event_type', 'text', 'me');
    expect(column(d, 'event_type')).toMatchObject({ type: 'text' });
    expect(column(d, 'event_type')?.options).toBeUndefined();
    changeColumnType(d, 'events', 'location', 'enum', 'me');
    updateColumn(d, 'events', 'location', { options: ['Seoul', 'Rio de Janeiro'] }, 'me');
    expect(column(d, 'location')?.options).toEqual(['Seoul', 'Rio de Janeiro']);
  });

  it('deletes a column, and an undo brings it back where it was', () => {
    const d = doc();
    const undo = new Y.UndoManager(d.getMap('sheets'), { trackedOrigins: new Set(['me']) });
    const before = ids(d);
    deleteColumn(d, 'events', 'cameo_code', 'me');
    expect(ids(d)).not.toContain('cameo_code');
    undo.undo();
    expect(ids(d)).toEqual(before);
  });
});
