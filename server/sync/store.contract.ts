/**
 * The contract every DocStore must keep (see store.ts). A store's test file runs it against a factory:
 * `docStoreContract('SqliteDocStore on :memory:', () => harness)`. The harness adds read-outs the sync
 * layer never needs but the contract speaks of (the recorded history of a row, the read model's rows,
 * sheets and review states), and a way to make one part of a commit fail the way a full disk or a lost
 * connection would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { ConflictRecord } from '../../model/conflicts';
import type { FlagRecord } from '../../model/reviews';
import type { CellValue, Column } from '../../model/columns';
import { emptyCommit, type DocCommit, type DocStore, type LoggedSince, type RowState, type StoredDoc } from './store';

export interface RecordedChange {
  sheetId: string;
  rowId: string;
  columnId: string;
  /** `null` for "nothing" (a new cell, or a cleared or deleted one). */
  old: CellValue;
  new: CellValue;
  userId: string | null;
  at: number;
  /** What more the change said (JSON), when it said anything. */
  note?: string;
}

export interface ReadModelRow {
  cells: Record<string, CellValue>;
  createdBy: string | null;
  createdAt: number;
  updatedBy: string | null;
  updatedAt: number;
}

/** The parts of a commit a store writes; a store may write them in any order. */
export const COMMIT_PARTS = ['log', 'history', 'rows', 'sheets', 'reviews', 'flags', 'conflicts'] as const;
export type CommitPart = (typeof COMMIT_PARTS)[number];

export interface StoreHarness {
  store: DocStore;
  /** The history the store recorded for a row, oldest first. */
  history(datasetId: string, rowId: string): Promise<RecordedChange[]>;
  /** The read model's copy of a row, or undefined if it has none. */
  readRow(datasetId: string, sheetId: string, rowId: string): Promise<ReadModelRow | undefined>;
  /** The read model's copy of a sheet, or undefined if it has none. */
  readSheet(datasetId: string, sheetId: string): Promise<{ name: string; columns: Column[] } | undefined>;
  /** The read model's review state of a row, or undefined if it has none. */
  readReview(datasetId: string, rowId: string): Promise<{ status: string; openFlags: number; flags: FlagRecord[] } | undefined>;
  /** The read model's copy of a conflict, or undefined if it has none. */
  readConflict(datasetId: string, conflictId: string): Promise<ConflictRecord | undefined>;
  /** The read model's conflicts of a row, oldest first (`ReadModel.rowConflicts`). */
  readRowConflicts(datasetId: string, rowId: string): Promise<ConflictRecord[]>;
  /**
   * Makes every later write of `part` fail inside the store (as a full disk or a lost connection would)
   * until the returned function is called.
   */
  breakWrites(part: CommitPart): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Real Yjs updates, so that what is stored can be checked by rebuilding the document from it. */
function makeUpdates(count: number): { updates: Uint8Array[]; doc: Y.Doc } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < count; i++) doc.getMap('cells').set(`k${i}`, `value ${i}`);
  return { updates, doc };
}

const commitOf = (datasetId: string, updates: Uint8Array[], userId: string | null = 'u1', at = 1000): DocCommit => ({
  ...emptyCommit(datasetId),
  updates: updates.map((update) => ({ update, userId, at })),
});

const rowState = (rowId: string, cells: Record<string, CellValue> | null, userId: string, at: number): RowState =>
  ({ sheetId: 'events', rowId, cells, userId, at });

/** The log part of a load, without the optional state vector. */
const logOf = ({ snapshot, updates, lastSeq }: StoredDoc) => ({ snapshot, updates, lastSeq });

/** A loaded state vector must be the one of snapshot and updates together, or absent (null). */
function expectTrueStateVector(stored: StoredDoc): void {
  if (stored.stateVector === null || stored.stateVector === undefined) return;
  const pieces = stored.snapshot ? [stored.snapshot, ...stored.updates] : stored.updates;
  expect(Y.decodeStateVector(stored.stateVector)).toEqual(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(Y.mergeUpdates(pieces))));
}

function rebuild(snapshot: Uint8Array | null, updates: Uint8Array[]): Record<string, unknown> {
  const doc = new Y.Doc();
  for (const u of snapshot ? [snapshot, ...updates] : updates) Y.applyUpdate(doc, u);
  return doc.getMap('cells').toJSON();
}

const EVENTS_COLUMNS: Column[] = [
  { id: 'actor1', name: 'Actor 1', type: 'text', required: true },
  { id: 'context', name: 'Context', type: 'multi', options: ['military', 'political'] },
];

/** An open flag on a row. */
const flagOn = (rowId: string, id: string): FlagRecord => ({
  id, row: rowId, sheet: 'events', column: 'actor1', reason: 'wrong_actor', note: 'who?', by: 'rita', at: '2024-02-22T00:00:00.000Z',
  status: 'open', comments: [],
});

/** A commit that writes every part: a logged update, a cell change, a row, a sheet and a review state. */
function fullCommit(datasetId: string, update: Uint8Array, value: string, userId: string, at: number): DocCommit {
  return {
    ...commitOf(datasetId, [update], userId, at),
    cells: [{ sheetId: 'events', rowId: 'r1', columnId: 'actor1', old: undefined, new: value, userId, at }],
    rows: [rowState('r1', { actor1: value }, userId, at)],
    sheets: [{ sheetId: 'events', sheet: { name: `Events ${value}`, columns: EVENTS_COLUMNS } }],
    reviews: [{ rowId: 'r1', status: at > 1000 ? 'flagged' : 'unreviewed', openFlags: at > 1000 ? 1 : 0, flags: at > 1000 ? [flagOn('r1', `f${at}`)] : [] }],
    conflicts: [conflictOn('r1', 'c1', value, at > 1000 ? 'resolved' : 'open')],
  };
}

function conflictOn(rowId: string, id: string, kept: ConflictRecord['kept'], status: ConflictRecord['status']): ConflictRecord {
  return {
    id, sheet: 'events', row: rowId, column: 'actor1', kept, keptBy: 'ana', lost: ['a', 'b'], lostBy: null,
    at: '2024-02-22T00:00:00.000Z', status, ...(status === 'resolved' && { resolvedBy: 'ben', resolvedAt: '2024-02-23T00:00:00.000Z' }),
  };
}

/** Everything a store shows of dataset d1 after `fullCommit`s. */
async function everything(h: StoreHarness) {
  return {
    log: logOf(await h.store.load('d1')),
    history: await h.history('d1', 'r1'),
    row: await h.readRow('d1', 'events', 'r1'),
    sheet: await h.readSheet('d1', 'events'),
    review: await h.readReview('d1', 'r1'),
    conflict: await h.readConflict('d1', 'c1'),
  };
}

export const ATOMICITY_CASE = 'writes nothing of a commit that fails in any of its parts';

/** The contract's cases, each run on a fresh, empty store. */
export const DOC_STORE_CASES: Record<string, (h: StoreHarness) => Promise<void>> = {
  'loads an unknown dataset as empty: no snapshot, no updates, seq 0': async (h) => {
    const stored = await h.store.load('nothing-here');
    expect(logOf(stored)).toEqual({ snapshot: null, updates: [], lastSeq: 0 });
    expect(stored.stateVector ?? null).toBeNull();
  },

  'returns increasing sequence numbers from append, and load gives the updates back in order': async (h) => {
    const { updates, doc } = makeUpdates(4);
    const s1 = await h.store.append(commitOf('d1', [updates[0]!]));
    const s2 = await h.store.append(commitOf('d1', [updates[1]!, updates[2]!]));
    const s3 = await h.store.append(commitOf('d1', [updates[3]!]));
    expect(s1).toBeGreaterThan(0);
    expect(s2).toBeGreaterThan(s1);
    expect(s3).toBeGreaterThan(s2);
    const loaded = await h.store.load('d1');
    expect(loaded.snapshot).toBeNull();
    expect(loaded.updates.map((u) => [...u])).toEqual(updates.map((u) => [...u]));
    expect(loaded.lastSeq).toBe(s3);
    expect(rebuild(null, loaded.updates)).toEqual(doc.getMap('cells').toJSON());
  },

  'keeps datasets apart': async (h) => {
    const { updates } = makeUpdates(3);
    await h.store.append(commitOf('d1', [updates[0]!]));
    const s = await h.store.append(commitOf('d2', [updates[1]!, updates[2]!]));
    expect((await h.store.load('d1')).updates.map((u) => [...u])).toEqual([[...updates[0]!]]);
    expect((await h.store.load('d2')).updates).toHaveLength(2);
    expect((await h.store.load('d2')).lastSeq).toBe(s);
  },

  'compacts the log up to a seq into the snapshot and keeps the later updates': async (h) => {
    const { updates, doc } = makeUpdates(3);
    const s1 = await h.store.append(commitOf('d1', [updates[0]!]));
    const s2 = await h.store.append(commitOf('d1', [updates[1]!]));
    const s3 = await h.store.append(commitOf('d1', [updates[2]!]));
    expect(s1).toBeLessThan(s2);
    const upToS2 = Y.mergeUpdates([updates[0]!, updates[1]!]);
    await h.store.compact('d1', upToS2, s2);
    const loaded = await h.store.load('d1');
    expect([...loaded.snapshot!]).toEqual([...upToS2]);
    expect(loaded.updates.map((u) => [...u])).toEqual([[...updates[2]!]]);
    expect(loaded.lastSeq).toBe(s3);
    expect(rebuild(loaded.snapshot, loaded.updates)).toEqual(doc.getMap('cells').toJSON());
  },

  'reads what was logged after a seq, with the snapshot only when it folds part of that, in commits and alone': async (h) => {
    const { updates } = makeUpdates(4);
    const s1 = await h.store.append(commitOf('d1', [updates[0]!]));
    const s2 = await h.store.append(commitOf('d1', [updates[1]!]));
    const s3 = await h.store.append(commitOf('d1', [updates[2]!]));
    const upToS2 = Y.mergeUpdates([updates[0]!, updates[1]!]);
    await h.store.compact('d1', upToS2, s2);
    const after = (logged: LoggedSince) => ({
      snapshot: logged.snapshot && [...logged.snapshot], updates: logged.updates.map(({ seq, update }) => ({ seq, update: [...update] })), lastSeq: logged.lastSeq,
    });
    // From before the snapshot: the snapshot, then what follows it.
    const folded = { snapshot: [...upToS2], updates: [{ seq: s3, update: [...updates[2]!] }], lastSeq: s3 };
    expect(after(await h.store.since('d1', s1))).toEqual(folded);
    expect(after(await h.store.since('d1', 0))).toEqual(folded);
    // From the snapshot's seq on: only the updates.
    expect(after(await h.store.since('d1', s2))).toEqual({ snapshot: null, updates: [{ seq: s3, update: [...updates[2]!] }], lastSeq: s3 });
    expect(after(await h.store.since('d1', s3))).toEqual({ snapshot: null, updates: [], lastSeq: s3 });
    expect(after(await h.store.since('d2', 0))).toEqual({ snapshot: null, updates: [], lastSeq: 0 });
    // A commit reads the same under the lock, before it is built.
    const seen: LoggedSince[] = [];
    const s4 = await h.store.commit('d1', s1, (logged) => {
      seen.push(logged);
      return commitOf('d1', [updates[3]!]);
    });
    expect(seen.map(after)).toEqual([folded]);
    expect(after(await h.store.since('d1', s3))).toEqual({ snapshot: null, updates: [{ seq: s4, update: [...updates[3]!] }], lastSeq: s4 });
  },

  'replaces an older snapshot, keeps the seq after compacting everything, and keeps counting up': async (h) => {
    const { updates, doc } = makeUpdates(3);
    const s1 = await h.store.append(commitOf('d1', [updates[0]!]));
    await h.store.compact('d1', updates[0]!, s1);
    const s2 = await h.store.append(commitOf('d1', [updates[1]!]));
    expect(s2).toBeGreaterThan(s1);
    const state = Y.mergeUpdates([updates[0]!, updates[1]!]);
    await h.store.compact('d1', state, s2);
    expect(logOf(await h.store.load('d1'))).toEqual({ snapshot: state, updates: [], lastSeq: s2 });
    const s3 = await h.store.append(commitOf('d1', [updates[2]!]));
    expect(s3).toBeGreaterThan(s2);
    const loaded = await h.store.load('d1');
    expect(loaded.lastSeq).toBe(s3);
    expect(rebuild(loaded.snapshot, loaded.updates)).toEqual(doc.getMap('cells').toJSON());
  },

  'gives back the state vector stored with the log, and never a stale one': async (h) => {
    const { updates, doc } = makeUpdates(4);
    const replay = new Y.Doc();
    const svAfter = (n: number) => {
      for (const u of updates.slice(0, n)) Y.applyUpdate(replay, u);
      return Y.encodeStateVector(replay);
    };
    const withVector = (from: number, to: number): DocCommit => ({ ...commitOf('d1', updates.slice(from, to)), stateVector: svAfter(to) });
    const s2 = await h.store.append(withVector(0, 2));
    let stored = await h.store.load('d1');
    expectTrueStateVector(stored);
    expect(stored.stateVector && [...stored.stateVector]).toEqual([...svAfter(2)]);

    // An update stored without a vector makes the stored one stale: it must not be reported.
    await h.store.append(commitOf('d1', [updates[2]!]));
    expectTrueStateVector(await h.store.load('d1'));

    const merged = Y.mergeUpdates(updates.slice(0, 2));
    await h.store.compact('d1', merged, s2, svAfter(2));
    expectTrueStateVector(await h.store.load('d1'));
    await h.store.append(withVector(3, 4));
    stored = await h.store.load('d1');
    expectTrueStateVector(stored);
    expect(rebuild(stored.snapshot, stored.updates)).toEqual(doc.getMap('cells').toJSON());
  },

  'records cell changes in the history with their old and new values, user and time, oldest first': async (h) => {
    await h.store.append({
      ...emptyCommit('d1'),
      cells: [
        { sheetId: 'events', rowId: 'r1', columnId: 'summary', old: undefined, new: 'first', userId: 'u1', at: 1000 },
        { sheetId: 'events', rowId: 'r1', columnId: 'context', old: undefined, new: ['military'], userId: 'u1', at: 1000 },
      ],
    });
    await h.store.append({
      ...emptyCommit('d1'),
      cells: [{ sheetId: 'events', rowId: 'r1', columnId: 'summary', old: 'first', new: 'second', userId: 'u2', at: 2000 }],
    });
    expect(await h.history('d1', 'r1')).toEqual([
      { sheetId: 'events', rowId: 'r1', columnId: 'summary', old: null, new: 'first', userId: 'u1', at: 1000 },
      { sheetId: 'events', rowId: 'r1', columnId: 'context', old: null, new: ['military'], userId: 'u1', at: 1000 },
      { sheetId: 'events', rowId: 'r1', columnId: 'summary', old: 'first', new: 'second', userId: 'u2', at: 2000 },
    ]);
    expect(await h.history('d2', 'r1')).toEqual([]);
  },

  'keeps the note of a cell change with it in the history (an adjudication and its coders\' values)': async (h) => {
    const note = JSON.stringify({ adjudication: { round: 'R1', values: { ana: 'AGREE', ben: 'REJECT' } } });
    await h.store.append({
      ...emptyCommit('d1'),
      cells: [{ sheetId: 'events', rowId: 'r1', columnId: 'event_type', old: 'CONSULT', new: 'REJECT', userId: 'u1', at: 1000, note }],
    });
    expect(await h.history('d1', 'r1')).toEqual([
      { sheetId: 'events', rowId: 'r1', columnId: 'event_type', old: 'CONSULT', new: 'REJECT', userId: 'u1', at: 1000, note },
    ]);
  },

  "records a deleted row's cells in the history as changed to nothing, and drops it from the read model": async (h) => {
    await h.store.append({ ...emptyCommit('d1'), rows: [rowState('r1', { actor1: 'China', cameo_code: '036', count: 3 }, 'u1', 1000)] });
    expect((await h.readRow('d1', 'events', 'r1'))?.cells).toEqual({ actor1: 'China', cameo_code: '036', count: 3 });
    await h.store.append({ ...emptyCommit('d1'), rows: [rowState('r1', null, 'u2', 2000)] });
    expect(await h.readRow('d1', 'events', 'r1')).toBeUndefined();
    const deletions = (await h.history('d1', 'r1')).filter((c) => c.userId === 'u2');
    expect(deletions.map(({ columnId, old, new: now, at }) => ({ columnId, old, new: now, at })).sort((a, b) => a.columnId.localeCompare(b.columnId)))
      .toEqual([
        { columnId: 'actor1', old: 'China', new: null, at: 2000 },
        { columnId: 'cameo_code', old: '036', new: null, at: 2000 },
        { columnId: 'count', old: 3, new: null, at: 2000 },
      ]);
  },

  'records a row made and deleted in one commit: its cells, then their deletion': async (h) => {
    await h.store.append({
      ...emptyCommit('d1'),
      cells: [{ sheetId: 'events', rowId: 'r1', columnId: 'actor1', old: undefined, new: 'short-lived', userId: 'u1', at: 1000 }],
      rows: [rowState('r1', null, 'u1', 1000)],
    });
    expect(await h.readRow('d1', 'events', 'r1')).toBeUndefined();
    expect((await h.history('d1', 'r1')).map(({ columnId, old, new: now }) => ({ columnId, old, new: now }))).toEqual([
      { columnId: 'actor1', old: null, new: 'short-lived' },
      { columnId: 'actor1', old: 'short-lived', new: null },
    ]);
  },

  'takes the deletion of a row it never stored without error or history': async (h) => {
    await expect(h.store.append({ ...emptyCommit('d1'), rows: [rowState('ghost', null, 'u1', 1000)] })).resolves.toBeTypeOf('number');
    expect(await h.history('d1', 'ghost')).toEqual([]);
  },

  "logs a row's own room apart from its dataset, and writes the row into the dataset's read model": async (h) => {
    const { updates } = makeUpdates(2);
    const room = 'd1/rows/events/r1';
    await h.store.append({ ...commitOf('d1', [updates[0]!]), room, rows: [rowState('r1', { summary: 'first' }, 'u1', 1000)] });
    expect(logOf(await h.store.load(room))).toEqual({ snapshot: null, updates: [updates[0]], lastSeq: expect.any(Number) });
    expect((await h.store.load('d1')).updates).toEqual([]);
    expect(await h.store.storedRow('d1', 'events', 'r1')).toEqual({ summary: 'first' });
    expect(await h.store.storedRow(room, 'events', 'r1')).toBeNull();
    expect(await h.store.storedRow('d1', 'events', 'r2')).toBeNull();
    await h.store.append({ ...emptyCommit('d1'), rows: [{ ...rowState('s1', { name: 'in another sheet' }, 'u1', 1000), sheetId: 'actors' }] });
    expect(await h.store.storedRows('d1', ['r1', 's1', 'r2'])).toEqual(new Map([
      ['r1', { sheetId: 'events', cells: { summary: 'first' } }], ['s1', { sheetId: 'actors', cells: { name: 'in another sheet' } }],
    ]));
    expect((await h.store.storedRows('d1', Array.from({ length: 1200 }, (_, i) => (i === 1100 ? 'r1' : `x${i}`)))).size).toBe(1);
    const seq = await h.store.commit(room, 0, (logged) => {
      expect(logged.updates.map((u) => u.update)).toEqual([updates[0]]);
      return { ...commitOf('d1', [updates[1]!]), room };
    });
    expect(await h.store.since(room, seq - 1)).toMatchObject({ updates: [{ update: updates[1] }] });
  },

  'upserts read-model rows: created by/at stay, updated by/at and the cells move': async (h) => {
    await h.store.append({ ...emptyCommit('d1'), rows: [rowState('r1', { summary: 'first' }, 'u1', 1000)] });
    await h.store.append({ ...emptyCommit('d1'), rows: [rowState('r1', { summary: 'second', location: 'Rio' }, 'u2', 2000)] });
    expect(await h.readRow('d1', 'events', 'r1')).toEqual({
      cells: { summary: 'second', location: 'Rio' }, createdBy: 'u1', createdAt: 1000, updatedBy: 'u2', updatedAt: 2000,
    });
    await h.store.append({ ...emptyCommit('d1'), rows: [rowState('r1', { summary: 'third' }, 'u3', 3000)] });
    expect(await h.readRow('d1', 'events', 'r1')).toEqual({
      cells: { summary: 'third' }, createdBy: 'u1', createdAt: 1000, updatedBy: 'u3', updatedAt: 3000,
    });
  },

  'writes updates, history and read model of one commit together': async (h) => {
    const { updates } = makeUpdates(1);
    const seq = await h.store.append({
      ...commitOf('d1', updates, 'u1', 1000),
      cells: [{ sheetId: 'events', rowId: 'r1', columnId: 'summary', old: undefined, new: 'x', userId: 'u1', at: 1000 }],
      rows: [rowState('r1', { summary: 'x' }, 'u1', 1000)],
    });
    expect(seq).toBeGreaterThan(0);
    expect((await h.store.load('d1')).updates).toHaveLength(1);
    expect(await h.history('d1', 'r1')).toHaveLength(1);
    expect((await h.readRow('d1', 'events', 'r1'))?.cells).toEqual({ summary: 'x' });
  },

  'stores the sheets of a commit in the read model, replaces them, and drops a removed sheet with its rows': async (h) => {
    await h.store.append({
      ...emptyCommit('d1'),
      sheets: [
        { sheetId: 'events', sheet: { name: 'Events', columns: EVENTS_COLUMNS } },
        { sheetId: 'statements', sheet: { name: 'Statements', columns: [] } },
      ],
      rows: [rowState('r1', { actor1: 'China' }, 'u1', 1000), { ...rowState('s1', { quote: 'q' }, 'u1', 1000), sheetId: 'statements' }],
    });
    expect(await h.readSheet('d1', 'events')).toEqual({ name: 'Events', columns: EVENTS_COLUMNS });
    expect(await h.readSheet('d1', 'statements')).toEqual({ name: 'Statements', columns: [] });
    expect(await h.readSheet('d2', 'events')).toBeUndefined();

    await h.store.append({ ...emptyCommit('d1'), sheets: [{ sheetId: 'events', sheet: { name: 'Happenings', columns: [EVENTS_COLUMNS[1]!] } }] });
    expect(await h.readSheet('d1', 'events')).toEqual({ name: 'Happenings', columns: [EVENTS_COLUMNS[1]] });

    await h.store.append({ ...emptyCommit('d1'), sheets: [{ sheetId: 'events', sheet: null }] });
    expect(await h.readSheet('d1', 'events')).toBeUndefined();
    expect(await h.readRow('d1', 'events', 'r1')).toBeUndefined();
    expect(await h.readSheet('d1', 'statements')).toEqual({ name: 'Statements', columns: [] });
    expect((await h.readRow('d1', 'statements', 's1'))?.cells).toEqual({ quote: 'q' });
  },

  'stores the review states and flags of a commit, later ones replacing earlier ones': async (h) => {
    const [a, b] = [flagOn('r1', 'fa'), { ...flagOn('r1', 'fb'), comments: [{ id: 'c1', by: 'cora', at: '2024-02-23T00:00:00.000Z', text: 'fixed', kind: 'fixed' as const }] }];
    await h.store.append({ ...emptyCommit('d1'), reviews: [{ rowId: 'r1', status: 'flagged', openFlags: 2, flags: [a, b] }, { rowId: 'r2', status: 'approved', openFlags: 0, flags: [] }] });
    expect(await h.readReview('d1', 'r1')).toEqual({ status: 'flagged', openFlags: 2, flags: [a, b] });
    expect(await h.readReview('d1', 'r2')).toEqual({ status: 'approved', openFlags: 0, flags: [] });
    expect(await h.readReview('d2', 'r1')).toBeUndefined();
    const resolved = { ...a, status: 'resolved' as const, resolvedBy: 'rita', resolvedAt: '2024-02-24T00:00:00.000Z', resolution: 'ok' };
    await h.store.append({ ...emptyCommit('d1'), reviews: [{ rowId: 'r1', status: 'unreviewed', openFlags: 0, flags: [resolved] }] });
    expect(await h.readReview('d1', 'r1')).toEqual({ status: 'unreviewed', openFlags: 0, flags: [resolved] });
    expect(await h.readReview('d1', 'r2')).toEqual({ status: 'approved', openFlags: 0, flags: [] });
  },

  'moves a flag from one row to another in one commit, whichever row the commit names first': async (h) => {
    const flag = flagOn('r1', 'moving');
    await h.store.append({ ...emptyCommit('d1'), reviews: [{ rowId: 'r1', status: 'flagged', openFlags: 1, flags: [flag] }] });
    // A merge: the kept row r2 takes the flag, r1's review goes; r2 comes first.
    await h.store.append({ ...emptyCommit('d1'), reviews: [
      { rowId: 'r2', status: 'flagged', openFlags: 1, flags: [{ ...flag, row: 'r2' }] },
      { rowId: 'r1', status: 'unreviewed', openFlags: 0, flags: [] },
    ] });
    expect(await h.readReview('d1', 'r2')).toEqual({ status: 'flagged', openFlags: 1, flags: [{ ...flag, row: 'r2' }] });
    expect(await h.readReview('d1', 'r1')).toEqual({ status: 'unreviewed', openFlags: 0, flags: [] });
  },

  'stores the conflicts of a commit, a later state of one replacing the earlier': async (h) => {
    const [a, b] = [conflictOn('r1', 'ca', 'China', 'open'), conflictOn('r2', 'cb', null, 'open')];
    await h.store.append({ ...emptyCommit('d1'), conflicts: [a, b] });
    expect(await h.readConflict('d1', 'ca')).toEqual(a);
    expect(await h.readConflict('d1', 'cb')).toEqual(b);
    expect(await h.readConflict('d2', 'ca')).toBeUndefined();
    const resolved = conflictOn('r1', 'ca', 'China', 'resolved');
    await h.store.append({ ...emptyCommit('d1'), conflicts: [resolved] });
    expect(await h.readConflict('d1', 'ca')).toEqual(resolved);
    expect(await h.readConflict('d1', 'cb')).toEqual(b);
  },

  "stores the conflicts of a row's own document in its dataset's read model, read back by row": async (h) => {
    const later = { ...conflictOn('r1', 'c2', 'Japan', 'open'), at: '2024-02-23T00:00:00.000Z' };
    const [first, other] = [conflictOn('r1', 'c1', 'China', 'resolved'), conflictOn('r2', 'c3', null, 'open')];
    await h.store.append({ ...emptyCommit('d1'), room: 'd1/rows/events/r1', conflicts: [later, first] });
    await h.store.append({ ...emptyCommit('d1'), room: 'd1/rows/events/r2', conflicts: [other] });
    expect(await h.readRowConflicts('d1', 'r1')).toEqual([first, later]);
    expect(await h.readRowConflicts('d1', 'r2')).toEqual([other]);
    expect(await h.readRowConflicts('d2', 'r1')).toEqual([]);
    expect(await h.readConflict('d1', 'c2')).toEqual(later);
  },

  [ATOMICITY_CASE]: async (h) => {
    const { updates, doc } = makeUpdates(2);
    await h.store.append(fullCommit('d1', updates[0]!, 'China', 'u1', 1000));
    const before = await everything(h);
    for (const part of COMMIT_PARTS) {
      const restore = await h.breakWrites(part);
      try {
        await expect(h.store.append(fullCommit('d1', updates[1]!, 'Japan', 'u2', 2000)), `with ${part} failing`).rejects.toThrow();
      } finally {
        await restore();
      }
      expect(await everything(h), `after a commit whose ${part} failed`).toEqual(before);
    }
    // Once the store works again, the same commit is written whole.
    await h.store.append(fullCommit('d1', updates[1]!, 'Japan', 'u2', 2000));
    const after = await everything(h);
    expect(after.log.updates).toHaveLength(2);
    expect(rebuild(null, after.log.updates)).toEqual(doc.getMap('cells').toJSON());
    expect(after.history.map((c) => c.new)).toEqual(['China', 'Japan']);
    expect(after.row?.cells).toEqual({ actor1: 'Japan' });
    expect(after.sheet?.name).toBe('Events Japan');
    expect(after.review).toEqual({ status: 'flagged', openFlags: 1, flags: [flagOn('r1', 'f2000')] });
    expect(after.conflict).toEqual(conflictOn('r1', 'c1', 'Japan', 'resolved'));
  },
};

/** Runs the DocStore contract against stores made by `open` (a fresh, empty store each test). */
export function docStoreContract(name: string, open: () => Promise<StoreHarness>): void {
  describe(`DocStore contract: ${name}`, () => {
    let h: StoreHarness;
    beforeEach(async () => { h = await open(); });
    afterEach(async () => { await h.close(); });
    for (const [title, run] of Object.entries(DOC_STORE_CASES)) it(title, () => run(h));
  });
}
