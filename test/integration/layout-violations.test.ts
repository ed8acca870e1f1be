import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { columnToYMap, setCell, sheetColumns, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, exportSheet, rowHistory } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { cellOf, sheetOf } from '../helpers/docs';
import { waitForValue } from '../helpers/eventually';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

/** The server's logged errors, one short line each, without repeats. */
function serverErrors(server: RunningServer): string {
  const lines = server.output().split('\n').filter((l) => /"level":(50|60)/.test(l)).map((l) => {
    const entry = JSON.parse(l) as { msg?: string; dataset?: string; err?: { message?: string } };
    return `${entry.dataset ?? ''}: ${entry.msg ?? ''}: ${entry.err?.message ?? ''}`;
  });
  return [...new Set(lines)].join('\n');
}

/**
 * An editor's client can send any valid Yjs update, including one that breaks the document layout of
 * CONTRACT §5 (a bug in a client, or a hostile one). Whatever the server does with it, it must not stop
 * storing everyone else's edits (CONTRACT §4: every applied update in SQLite within 100 ms).
 */
describe('updates that break the document layout', () => {
  let server: RunningServer;
  let honest: Client;
  let watcher: Client;
  let careless: Client;
  const clients: Client[] = [];
  /** Every process started, the first (which owns the data dir) first. */
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    server = await startServer();
    servers.push(server);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of [...servers].reverse()) await s.dispose();
  });

  /** `careless` is an editor, or an admin where the change is one only admins may make (columns). */
  async function setUp(dataset: string, role: 'editor' | 'admin' = 'editor'): Promise<void> {
    await createDataset(server, dataset);
    honest = await connectSynced(server, dataset);
    watcher = await connectSynced(server, dataset);
    careless = await connectSynced(server, dataset, (await createUser(server, `careless ${dataset}`, role)).token);
    clients.push(honest, watcher, careless);
  }

  /** An honest edit after the violation reaches the history, and survives kill -9 once the window passed. */
  async function expectHonestEditsStillStored(dataset: string): Promise<void> {
    const rowId = newRowId();
    setCell(sheetOf(honest.doc, 'events'), rowId, 'summary', 'an honest edit');
    await waitFor(() => cellOf(watcher.doc, 'events', rowId, 'summary') === 'an honest edit', { what: 'the honest edit relayed' });
    const appliedAt = Date.now();
    const history = await waitForValue(async () => {
      const entries = await rowHistory(server, dataset, rowId);
      return entries.length > 0 ? entries : undefined;
    }, { what: 'the honest edit in the history', timeoutMs: 3000 }).catch(() => []);
    const errors = serverErrors(server);
    expect(history.map((h) => h.new), `server errors:\n${errors}`).toEqual(['an honest edit']);
    await waitFor(() => Date.now() - appliedAt > 100, { what: 'the durability window' });

    await server.kill();
    const again = await restartServer(server, { samePort: true });
    servers.push(again);
    server = again;
    const reader = await connectSynced(again, dataset);
    clients.push(reader);
    expect(cellOf(reader.doc, 'events', rowId, 'summary')).toBe('an honest edit');
    expect((await exportSheet(again, dataset, 'events')).status).toBe(200);
  }

  it('keeps storing honest edits after an editor writes a row that is not a map', async () => {
    await setUp('not-a-row');
    (sheetRows(sheetOf(careless.doc, 'events')) as unknown as Y.Map<unknown>).set(newRowId(), 'a row as plain text');
    await expectHonestEditsStillStored('not-a-row');
  });

  it('keeps storing honest edits after an admin pushes a column that is not a map', async () => {
    await setUp('not-a-column', 'admin');
    (sheetColumns(sheetOf(careless.doc, 'events')) as unknown as Y.Array<unknown>).push(['a column as plain text']);
    await expectHonestEditsStillStored('not-a-column');
  });

  it('refuses an admin column whose id clashes with an export column, closing that socket with 4400', async () => {
    await setUp('reserved-column', 'admin');
    careless.doc.transact(() => {
      sheetColumns(sheetOf(careless.doc, 'events')).push([columnToYMap({ id: 'review_status', name: 'Status', type: 'text' })]);
    });
    await waitFor(() => careless.closes.includes(4400), { what: 'the careless socket closed with 4400' });
    const header = (await exportSheet(server, 'reserved-column', 'events')).text.split('\r\n')[0]!.split(',');
    expect(header.filter((id) => id === 'review_status')).toHaveLength(1);
    expect(sheetColumns(sheetOf(honest.doc, 'events')).toArray().map((c) => c.get('id'))).not.toContain('review_status');
  });
});
