import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { storedLog } from '../helpers/database';
import { cellOf, sheetOf, sheetsJson } from '../helpers/docs';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'idle';

describe('idle documents', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startServer({ env: { DOC_IDLE_MS: '50' } });
    await createDataset(server, DATASET);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
  });

  it('compacts a document nobody uses, and serves every edit when it is opened again, cycle after cycle', async () => {
    const edits: Array<[string, string]> = [];
    for (let cycle = 0; cycle < 4; cycle++) {
      const client = await connectSynced(server, DATASET);
      clients.push(client);
      for (const [rowId, value] of edits) expect(cellOf(client.doc, 'events', rowId, 'summary'), `cycle ${cycle}`).toBe(value);
      for (let i = 0; i < 5; i++) {
        const rowId = newRowId();
        const value = `cycle ${cycle} edit ${i}`;
        setCell(sheetOf(client.doc, 'events'), rowId, 'summary', value);
        edits.push([rowId, value]);
      }
      const watcher = await connectSynced(server, DATASET);
      clients.push(watcher);
      await waitFor(() => edits.every(([rowId, value]) => cellOf(watcher.doc, 'events', rowId, 'summary') === value), { what: `cycle ${cycle} relayed` });
      client.destroy();
      watcher.destroy();
      // Unloading folds the log into the snapshot.
      await waitFor(async () => { const log = await storedLog(server, DATASET); return log.snapshot && log.updates === 0; }, { what: `cycle ${cycle} compacted` });
    }

    await server.kill();
    const again = await restartServer(server);
    try {
      const reader = await connectSynced(again, DATASET);
      clients.push(reader);
      expect(edits.filter(([rowId, value]) => cellOf(reader.doc, 'events', rowId, 'summary') !== value)).toEqual([]);
      expect(Object.keys(sheetsJson(reader.doc)).sort()).toEqual(['events', 'statements']);
    } finally {
      await again.dispose();
    }
  });
});
