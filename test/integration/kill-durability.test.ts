import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { ACKS_PARAM, SaveStatus } from '../../client/sync/save-status';
import { StoreMessage } from '../../model/codes';
import * as Y from 'yjs';
import { insertRow, setCell, sheetRows, type YRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, rowCount } from '../helpers/api';
import { connect, connectSynced, type Client } from '../helpers/clients';
import { rowsOf, sheetOf } from '../helpers/docs';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

/**
 * What the server acknowledged as stored survives kill -9. (How soon it stores what it applied, within
 * 100 ms, depends on the CPU it gets: a benchmark's question, not a test's.)
 */

/** One edit: either a new row, or a change to one cell of the row the previous edit made. */
interface Edit {
  index: number;
  rowId: string;
  column: 'summary' | 'location';
  value: string;
  /** When another client saw it, which is after the server applied it. */
  seenAt?: number;
  /** The writer's clock after it: the edit is stored once the server acknowledges this much of the writer. */
  clock: number;
}

describe('durability against kill -9', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, 'durable');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
  });

  it('keeps every edit the server acknowledged as stored before it was killed with SIGKILL mid-stream', async () => {
    // The writer asks to be told what is stored, as the web client does.
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(server.wsUrl, 'durable', doc, {
      params: { token: server.adminToken, ...ACKS_PARAM }, WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket, disableBc: true,
    });
    let acked = 0;
    let killing: Promise<void> | null = null;
    provider.messageHandlers[StoreMessage.Stored] = (_encoder, decoder) => {
      if (!killing) acked = Y.decodeStateVector(decoding.readVarUint8Array(decoder)).get(doc.clientID) ?? 0;
    };
    const writer: Client = { doc, provider, closes: [], destroy: () => provider.destroy() };
    const watcher = await connectSynced(server, 'durable');
    clients.push(writer, watcher);
    await waitFor(() => provider.synced, { what: 'the writer synced' });
    const events = sheetOf(writer.doc, 'events');

    const edits: Edit[] = [];
    const byKey = new Map<string, Edit>();
    let onSeen: (() => void) | null = null;
    // The watcher stamps each edit when it arrives: the server applied it before relaying it.
    sheetRows(sheetOf(watcher.doc, 'events')).observeDeep((yevents: Array<Y.YEvent<any>>) => {
      const now = Date.now();
      for (const event of yevents) {
        const target = event.target as Y.Map<unknown>;
        for (const key of event.changes.keys.keys()) {
          if (event.path.length === 0) {
            const row = target.get(key) as YRow | undefined;
            const edit = byKey.get(`${key}\0summary`);
            if (row && edit && row.get('summary') === edit.value) edit.seenAt ??= now;
          } else {
            const edit = byKey.get(`${String(event.path[0])}\0${key}`);
            if (edit && target.get(key) === edit.value) edit.seenAt ??= now;
          }
        }
      }
      onSeen?.();
    });

    let ackedAtKill = 0;
    const KILL_AFTER_SEEN = 300;
    for (let i = 0; !killing || i < KILL_AFTER_SEEN + 20; i++) {
      const previous = edits.at(-1);
      const edit: Edit = i % 2 === 1 && previous
        ? { index: i, rowId: previous.rowId, column: 'location', value: `changed by edit ${i}`, clock: 0 }
        : { index: i, rowId: newRowId(), column: 'summary', value: `made by edit ${i}`, clock: 0 };
      edits.push(edit);
      byKey.set(`${edit.rowId}\0${edit.column}`, edit);
      if (edit.column === 'summary') insertRow(events, edit.rowId, { summary: edit.value, actor1: 'durability' });
      else setCell(events, edit.rowId, edit.column, edit.value);
      edit.clock = Y.decodeStateVector(Y.encodeStateVector(doc)).get(doc.clientID) ?? 0;

      if (i === KILL_AFTER_SEEN) {
        // Kill while edits are still streaming in, the last ones not stored yet.
        ackedAtKill = acked;
        killing = server.kill();
      }
      if (!killing) {
        // Pace the writer by the watcher (an event, not a timer): one edit in flight at a time.
        await new Promise<void>((resolve) => { onSeen = () => { if (edit.seenAt !== undefined) resolve(); }; onSeen(); });
      }
    }
    await killing;
    expect(server.process.signalCode).toBe('SIGKILL');

    const mustSurvive = edits.filter((e) => e.clock <= ackedAtKill);
    expect(mustSurvive.length).toBeGreaterThan(100);

    const again = await restartServer(server);
    try {
      const reader = await connectSynced(again, 'durable');
      clients.push(reader);
      const stored = new Map(rowsOf(reader.doc, 'events'));
      const missing = mustSurvive.filter((e) => stored.get(e.rowId)?.[e.column] !== e.value);
      expect(missing.map((e) => `edit ${e.index} (of ${edits.length}, acknowledged before the kill)`)).toEqual([]);
      // Nothing is made up either: every stored row is one the writer made.
      const made = new Set(edits.map((e) => e.rowId));
      expect([...stored.keys()].filter((id) => !made.has(id))).toEqual([]);
    } finally {
      await again.dispose();
    }
  });

  it('gives a client that connects after the kill the whole document by the time its provider reports synced', async () => {
    const again = await restartServer(server);
    try {
      const expected = await waitFor(async () => (await rowCount(again, 'durable', 'events')) || undefined, { what: 'the stored row count' });
      const reader = connect(again, 'durable');
      clients.push(reader);
      // What the stock provider holds at the moment it tells the app "synced": a grid renders from this.
      const atSynced = new Promise<number>((resolve) => {
        reader.provider.on('sync', (synced: boolean) => { if (synced) resolve(rowsOf(reader.doc, 'events').length); });
      });
      expect(await atSynced).toBe(expected);
    } finally {
      await again.dispose();
    }
  });

  // How soon a burst is stored depends on the CPU the server gets (a 500-row commit); what must hold on
  // any machine is that an edit the server acknowledged as stored survives kill -9.
  it('keeps a burst of edits sent in one go, once the server acknowledged it as stored', async () => {
    const again = await restartServer(server);
    try {
      await createDataset(again, 'burst');
      const doc = new Y.Doc();
      const provider = new WebsocketProvider(again.wsUrl, 'burst', doc, {
        params: { token: again.adminToken, ...ACKS_PARAM },
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      });
      const saves = SaveStatus.of(provider, doc);
      clients.push({ doc, provider, closes: [], destroy: () => { saves.destroy(); provider.destroy(); } });
      await waitFor(() => provider.synced, { what: 'initial sync' });
      const events = sheetOf(doc, 'events');
      const ids = Array.from({ length: 500 }, () => newRowId());
      for (const [i, id] of ids.entries()) insertRow(events, id, { summary: `burst ${i}` });
      expect(saves.state).not.toBe('saved');
      await waitFor(() => saves.state === 'saved', { what: 'the burst acknowledged as stored', timeoutMs: 30_000 });
      await again.kill();

      const third = await restartServer(server);
      try {
        const reader = await connectSynced(third, 'burst');
        clients.push(reader);
        expect(rowsOf(reader.doc, 'events').map(([id, row]) => [id, row.summary])).toEqual(ids.map((id, i) => [id, `burst ${i}`]));
      } finally {
        await third.dispose();
      }
    } finally {
      await again.dispose();
    }
  });
});
