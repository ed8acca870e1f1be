import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { deleteRow, insertRow, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, rowHistory } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { rowsOf, sheetOf, sheetsJson } from '../helpers/docs';
import { restartServer } from '../helpers/lifecycle';
import { openRawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

describe('persistence across a restart', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, 'restart');
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
  });

  it('exits 0 on SIGTERM, closes sockets with 1012, and a new server on the same data serves every edit', async () => {
    const writer = await connectSynced(server, 'restart');
    const watcher = await connectSynced(server, 'restart');
    const raw = openRawSocket(server, 'restart');
    await raw.opened;
    clients.push(writer, watcher);

    const events = sheetOf(writer.doc, 'events');
    const statements = sheetOf(writer.doc, 'statements');
    const kept = newRowId();
    const removed = newRowId();
    writer.doc.transact(() => {
      insertRow(events, kept, { event_date: '2024-02', date_precision: 'month', actor1: '김정은 / 金正恩', context: ['military', 'cbrn'] });
      insertRow(events, removed, { actor1: 'to be deleted' });
    });
    setCell(events, kept, 'summary', 'Line one\r\nline “two”');
    setCell(events, kept, 'cameo_code', '036');
    deleteRow(events, removed);
    const statement = newRowId();
    insertRow(statements, statement, { quote: 'It’s not just our problem.', event_id: kept });
    // A long run of small edits, so the log holds many updates and not one.
    for (let i = 0; i < 50; i++) setCell(events, kept, 'location', `place ${i}`);

    const expected = sheetsJson(writer.doc);
    await waitFor(() => expect(sheetsJson(watcher.doc)).toEqual(expected), { what: 'the watcher sees every edit' });

    const stopping = Date.now();
    const exitCode = await server.stop();
    expect(exitCode).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5000);
    expect((await raw.closed).code).toBe(CloseCode.Restart);
    await waitFor(() => writer.closes.includes(CloseCode.Restart) && watcher.closes.includes(CloseCode.Restart), { what: 'providers closed with 1012' });

    const again = await restartServer(server);
    try {
      const reader = await connectSynced(again, 'restart');
      clients.push(reader);
      expect(sheetsJson(reader.doc)).toEqual(expected);
      expect(rowsOf(reader.doc, 'events').find(([id]) => id === kept)?.[1]).toMatchObject({
        actor1: '김정은 / 金正恩', summary: 'Line one\r\nline “two”', cameo_code: '036', location: 'place 49', context: ['military', 'cbrn'],
      });
      expect(sheetRows(sheetOf(reader.doc, 'events')).has(removed)).toBe(false);
      // The history was stored with the updates, attributed, before the restart.
      const history = await rowHistory(again, 'restart', kept);
      expect(history.filter((h) => h.column === 'location')).toHaveLength(50);
      expect(history.every((h) => h.by === 'admin')).toBe(true);
    } finally {
      await again.dispose();
    }
  });

  it('lets providers that stay open reconnect to the restarted server and keep syncing', async () => {
    const dataset = 'reconnect';
    const start = await startServer();
    try {
      await createDataset(start, dataset);
      const a = await connectSynced(start, dataset);
      const b = await connectSynced(start, dataset);
      clients.push(a, b);
      const row = newRowId();
      setCell(sheetOf(a.doc, 'events'), row, 'summary', 'before the restart');
      await waitFor(() => rowsOf(b.doc, 'events').some(([id]) => id === row), { what: 'b sees the first edit' });
      expect(await start.stop()).toBe(0);

      // Edited while the server is down: the provider sends it when it is back.
      setCell(sheetOf(a.doc, 'events'), row, 'location', 'edited offline');
      const again = await restartServer(start, { samePort: true });
      try {
        await waitFor(() => rowsOf(b.doc, 'events').find(([id]) => id === row)?.[1].location === 'edited offline', {
          what: 'b sees the offline edit after both reconnected', timeoutMs: 15_000,
        });
        const fresh = await connectSynced(again, dataset);
        clients.push(fresh);
        expect(sheetsJson(fresh.doc)).toEqual(sheetsJson(a.doc));
      } finally {
        await again.dispose();
      }
    } finally {
      await start.dispose();
    }
  });
});
