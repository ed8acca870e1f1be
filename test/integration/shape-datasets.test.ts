/** Renaming, archiving and deleting a dataset, seen over the API and by stock clients connected to it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { getMeta, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, type CreatedUser } from '../helpers/api';
import { api, type Client, connect, connectSynced } from '../helpers/clients';
import { counts, storedByUser } from '../helpers/database';
import { cellOf, sheetOf } from '../helpers/docs';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

let server: RunningServer;
let editor: CreatedUser;
const clients: Client[] = [];
const join_ = async (dataset: string, token: string) => {
  const client = await connectSynced(server, dataset, token);
  clients.push(client);
  return client;
};
const listed = async (query = '') => ((await api(server, `/api/datasets${query}`)).body as Array<{ id: string; name: string; archivedAt?: string | null }>);

beforeAll(async () => {
  server = await startServer();
  editor = await createUser(server, 'Ed Editor', 'editor');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await server.dispose();
});

/**
 * Has `writer` write a cell, then proves the server has handled that write: the same socket sends a
 * presence change right after it, and the server handles a socket's messages in order.
 */
async function writeThenAnnounce(writer: Client, observer: Client, rowId: string, value: string): Promise<void> {
  setCell(sheetOf(writer.doc, 'events'), rowId, 'summary', value);
  writer.provider.awareness.setLocalStateField('marker', value);
  await waitFor(() => observer.provider.awareness.getStates().get(writer.doc.clientID)?.marker === value, { what: `presence after "${value}"` });
}

describe('renaming a dataset', () => {
  it('changes the one name: the list, the dataset and the document agree, live', async () => {
    await createDataset(server, 'rename-me');
    const watcher = await join_('rename-me', editor.token);
    const { status, body } = await api(server, '/api/datasets/rename-me', { method: 'PATCH', body: { name: 'Korean peninsula, wave 2' } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'rename-me', name: 'Korean peninsula, wave 2', archivedAt: null });
    expect((await listed()).find((d) => d.id === 'rename-me')?.name).toBe('Korean peninsula, wave 2');
    expect((await api(server, '/api/datasets/rename-me')).body.name).toBe('Korean peninsula, wave 2');
    await expect.poll(() => getMeta(watcher.doc).get('name')).toBe('Korean peninsula, wave 2');
    // A client that connects later reads the same name in the document.
    const late = await join_('rename-me', server.adminToken);
    expect(getMeta(late.doc).get('name')).toBe('Korean peninsula, wave 2');
  });

  it('refuses a non-admin (403), an empty name and unknown fields (400)', async () => {
    expect((await api(server, '/api/datasets/rename-me', { method: 'PATCH', body: { name: 'Mine' }, token: editor.token })).status).toBe(403);
    expect((await api(server, '/api/datasets/rename-me', { method: 'PATCH', body: { name: '  ' } })).status).toBe(400);
    expect((await api(server, '/api/datasets/rename-me', { method: 'PATCH', body: { title: 'x' } })).status).toBe(400);
    expect((await api(server, '/api/datasets/rename-me')).body.name).toBe('Korean peninsula, wave 2');
  });
});

describe('archiving a dataset', () => {
  it('hides it from the list unless asked, makes it read-only for everyone (open sockets too), and restores it', async () => {
    await createDataset(server, 'archive-me');
    const coder = await join_('archive-me', editor.token);
    const watcher = await join_('archive-me', server.adminToken);
    const before = newRowId();
    await writeThenAnnounce(coder, watcher, before, 'written while active');
    await expect.poll(() => cellOf(watcher.doc, 'events', before, 'summary')).toBe('written while active');

    const archived = await api(server, '/api/datasets/archive-me', { method: 'PATCH', body: { archived: true } });
    expect(archived.status).toBe(200);
    expect(archived.body.archivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(archived.body.role).toBe('viewer');
    expect((await listed()).map((d) => d.id)).not.toContain('archive-me');
    expect((await listed('?archived=1')).find((d) => d.id === 'archive-me')?.archivedAt).toBe(archived.body.archivedAt);
    expect((await listed('?archived=1')).find((d) => d.id === 'demo')?.archivedAt).toBeNull();
    // Still readable.
    expect((await api(server, '/api/datasets/archive-me', { token: editor.token })).body).toMatchObject({ role: 'viewer' });
    expect((await api(server, '/api/datasets/archive-me/sheets/events/export', { token: editor.token })).status).toBe(200);

    // The socket opened before the archive no longer writes, nor does a new one, admins' included.
    const stored = await storedByUser(server, editor.id);
    const during = newRowId();
    await writeThenAnnounce(coder, watcher, during, 'written while archived');
    const adminLate = await join_('archive-me', server.adminToken);
    await writeThenAnnounce(adminLate, watcher, newRowId(), 'admin while archived');
    expect(cellOf(watcher.doc, 'events', during, 'summary')).toBeUndefined();
    expect(await storedByUser(server, editor.id)).toEqual(stored);
    const fresh = await join_('archive-me', server.adminToken);
    expect(cellOf(fresh.doc, 'events', during, 'summary')).toBeUndefined();
    // And the API writes are refused, renaming included, until it is restored.
    expect((await api(server, '/api/datasets/archive-me/sheets', { body: { name: 'More' } })).status).toBe(403);
    expect((await api(server, '/api/datasets/archive-me', { method: 'PATCH', body: { name: 'New name' } })).status).toBe(403);
    expect((await api(server, '/api/datasets/archive-me', { method: 'PATCH', body: { archived: false }, token: editor.token })).status).toBe(403);

    const restored = await api(server, '/api/datasets/archive-me', { method: 'PATCH', body: { archived: false } });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ archivedAt: null, role: 'admin' });
    expect((await listed()).map((d) => d.id)).toContain('archive-me');
    // Writes are applied again: a client that connects now sees what an admin writes.
    const reader = await join_('archive-me', editor.token);
    const after = newRowId();
    await writeThenAnnounce(watcher, reader, after, 'written after the restore');
    await expect.poll(() => cellOf(reader.doc, 'events', after, 'summary')).toBe('written after the restore');
    expect(cellOf(reader.doc, 'events', during, 'summary')).toBeUndefined();
  });
});

describe('deleting a dataset', () => {
  const TABLES = ['updates', 'snapshots', 'cell_changes', 'rows', 'sheets', 'reviews', 'flags', 'conflicts'];
  async function storedFor(datasetId: string): Promise<Record<string, number>> {
    const queries: Record<string, [string, string]> = { datasets: ['select count(*) as n from datasets where id = ?', datasetId] };
    for (const t of TABLES) queries[t] = [`select count(*) as n from ${t} where dataset_id = ?`, datasetId];
    return counts(server, queries);
  }

  it('needs the id typed out, and an admin', async () => {
    await createDataset(server, 'keep-me');
    for (const body of [undefined, {}, { confirm: 'keep' }, { confirm: 'KEEP-ME' }, { confirm: true }]) {
      expect((await api(server, '/api/datasets/keep-me', { method: 'DELETE', body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await api(server, '/api/datasets/keep-me', { method: 'DELETE', body: { confirm: 'keep-me' }, token: editor.token })).status).toBe(403);
    expect((await api(server, '/api/datasets/keep-me')).status).toBe(200);
  });

  it('deletes everything stored for it, closes its open sockets with 4404 and unloads its document', async () => {
    await createDataset(server, 'delete-me');
    const coder = await join_('delete-me', editor.token);
    const rowId = newRowId();
    setCell(sheetOf(coder.doc, 'events'), rowId, 'summary', 'soon gone');
    const flag = async () => api(server, '/api/datasets/delete-me/flags', { body: { sheet: 'events', row: rowId, reason: 'other', note: 'check' } });
    await expect.poll(async () => (await flag()).status).toBe(201);
    for (const t of ['datasets', 'updates', 'cell_changes', 'rows', 'sheets', 'reviews', 'flags']) {
      await expect.poll(async () => (await storedFor('delete-me'))[t], { message: t }).toBeGreaterThan(0);
    }

    const { status } = await api(server, '/api/datasets/delete-me', { method: 'DELETE', body: { confirm: 'delete-me' } });
    expect(status).toBe(200);
    await expect.poll(() => coder.closes).toContain(CloseCode.NotFound);
    const afterDelete = await storedFor('delete-me');
    expect(Object.values(afterDelete).every((n) => n === 0), JSON.stringify(afterDelete)).toBe(true);
    expect((await api(server, '/api/datasets/delete-me')).status).toBe(404);
    expect((await listed('?archived=1')).map((d) => d.id)).not.toContain('delete-me');
    // A new socket finds nothing; nothing was written back for it afterwards (the document was unloaded, not stored).
    const late = connect(server, 'delete-me');
    clients.push(late);
    await expect.poll(() => late.closes).toContain(CloseCode.NotFound);
    expect(Object.values(await storedFor('delete-me')).every((n) => n === 0)).toBe(true);
    // The other datasets are untouched.
    expect((await storedFor('keep-me')).datasets).toBe(1);
    expect((await storedFor('keep-me')).sheets).toBeGreaterThan(0);

    // The id can be used again, for a new, empty dataset.
    await createDataset(server, 'delete-me');
    expect((await api(server, '/api/datasets/delete-me')).body.sheets.every((s: { rowCount: number }) => s.rowCount === 0)).toBe(true);
  });
});
