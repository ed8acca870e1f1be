import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSheet, setCell, sheetRows } from '../../model/document';
import { connectSynced, api } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

describe('smoke', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it('syncs an edit between two clients and records it', async () => {
    const a = await connectSynced(server, 'demo');
    const b = await connectSynced(server, 'demo');
    const events = getSheet(a.doc, 'events')!;
    expect(sheetRows(events).size).toBe(7);
    const rowId = [...sheetRows(events).keys()][0]!;
    setCell(events, rowId, 'location', 'Beijing');
    await waitFor(() => sheetRows(getSheet(b.doc, 'events')!).get(rowId)?.get('location') === 'Beijing');
    const history = await waitFor(async () => {
      const { body } = await api(server, `/api/datasets/demo/history?row=${rowId}`);
      return body.find((h: any) => h.column === 'location' && h.new === 'Beijing');
    });
    expect(history.by).toBe('admin');
    a.destroy(); b.destroy();
  });
});
