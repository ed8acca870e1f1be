/**
 * Reading what other instances stored runs every few seconds per loaded document; while the database
 * fails, that is logged when it starts, then once a minute with a count, and once when it works again.
 * The failure is a real one: the SQLite store's update log is renamed away under it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { openDatabase } from '../../db/client';
import { SqliteDocStore } from '../../db/store';
import { initDocument } from '../../model/document';
import { TEMPLATES } from '../../model/templates';
import { createLogger } from '../logger';
import { SharedDoc } from './shared-doc';
import { emptyCommit } from './store';

/** How often the registry has each document catch up (CATCH_UP_EVERY_MS). */
const EVERY_MS = 5000;

describe('a catch-up that keeps failing', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('is logged at its start, once a minute with a count, and when it works again', async () => {
    const db = openDatabase(':memory:');
    const store = new SqliteDocStore(db);
    const doc = new Y.Doc();
    initDocument(doc, 'Test', TEMPLATES['events-statements']);
    store.appendNow({ ...emptyCommit('d1'), updates: [{ update: Y.encodeStateAsUpdate(doc), userId: null, at: 1 }] });
    const lines: Array<{ level: number; msg: string; failures?: number; dataset?: string }> = [];
    const log = createLogger('info', { write: (line: string) => { lines.push(JSON.parse(line)); } });
    const shared = await SharedDoc.load('d1', store, { compactEvery: 1000, log });

    db.$client.exec('ALTER TABLE updates RENAME TO updates_away');
    // Three minutes of catching up every five seconds, and one more try at the end.
    for (let elapsed = 0; elapsed <= 180_000; elapsed += EVERY_MS) {
      await shared.catchUp();
      vi.advanceTimersByTime(EVERY_MS);
    }
    expect(lines.map((l) => [l.msg, l.failures])).toEqual([
      ['reading what other instances stored failed; trying again', undefined],
      ['reading what other instances stored still failing; trying again', 12],
      ['reading what other instances stored still failing; trying again', 12],
      ['reading what other instances stored still failing; trying again', 12],
    ]);
    expect(lines.every((l) => l.level === 50 && l.dataset === 'd1')).toBe(true);

    db.$client.exec('ALTER TABLE updates_away RENAME TO updates');
    await shared.catchUp();
    await shared.catchUp();
    expect(lines.slice(4)).toEqual([
      expect.objectContaining({ level: 40, msg: 'reading what other instances stored works again', failures: 37 }),
    ]);
    await shared.close({ compact: false });
    db.$client.close();
  });
});
