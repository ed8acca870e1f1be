import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { columnToYMap, readColumns, setCell, sheetColumns } from '../../model/document';
import { newRowId } from '../../model/ids';
import type { Role } from '../../model/roles';
import { createDataset, createUser, rowHistory, type CreatedUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { storedByUser } from '../helpers/database';
import { cellOf, rowsOf, sheetOf, sheetsJson } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'roles';

describe('roles on the sync channel', () => {
  let server: RunningServer;
  const users = {} as Record<'viewer' | 'reviewer' | 'editor', CreatedUser>;
  const clients: Client[] = [];
  const join = async (token: string) => {
    const client = await connectSynced(server, DATASET, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET);
    for (const role of ['viewer', 'reviewer', 'editor'] as const) users[role] = await createUser(server, `${role} user`, role);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
  });

  /**
   * Has a read-only user write a cell, then proves the server has processed that write: the same socket
   * sends a presence change right after it, and the server handles a socket's messages in order.
   */
  async function writeThenAnnounce(writer: Client, observer: Client, rowId: string, value: string): Promise<void> {
    setCell(sheetOf(writer.doc, 'events'), rowId, 'summary', value);
    writer.provider.awareness.setLocalStateField('marker', value);
    await waitFor(() => observer.provider.awareness.getStates().get(writer.doc.clientID)?.marker === value, {
      what: `the presence sent after "${value}"`,
    });
  }

  it.each(['viewer', 'reviewer'] as const)("never lets a %s's edits reach other clients or the store", async (role: Extract<Role, 'viewer' | 'reviewer'>) => {
    const editor = await join(users.editor.token);
    const readOnly = await join(users[role].token);
    const rowId = newRowId();
    await writeThenAnnounce(readOnly, editor, rowId, `written by the ${role}`);

    // The read-only client has its own edit locally; nobody else does.
    expect(cellOf(readOnly.doc, 'events', rowId, 'summary')).toBe(`written by the ${role}`);
    expect(cellOf(editor.doc, 'events', rowId, 'summary')).toBeUndefined();
    const late = await join(server.adminToken);
    expect(rowsOf(late.doc, 'events').map(([id]) => id)).not.toContain(rowId);
    expect(await storedByUser(server, users[role].id)).toEqual({ updates: 0, cellChanges: 0 });
    expect(await rowHistory(server, DATASET, rowId)).toEqual([]);
  });

  it('lets read-only users see presence and be seen, and receive what editors write', async () => {
    const editor = await join(users.editor.token);
    const viewer = await join(users.viewer.token);
    const reviewer = await join(users.reviewer.token);
    viewer.provider.awareness.setLocalStateField('user', { name: 'viewer user', cursor: 'events/row-1/actor1' });
    reviewer.provider.awareness.setLocalStateField('user', { name: 'reviewer user' });
    editor.provider.awareness.setLocalStateField('user', { name: 'editor user' });
    await waitFor(() => (editor.provider.awareness.getStates().get(viewer.doc.clientID)?.user as { cursor?: string } | undefined)?.cursor === 'events/row-1/actor1', {
      what: "the editor sees the viewer's presence",
    });
    await waitFor(() => (reviewer.provider.awareness.getStates().get(viewer.doc.clientID)?.user as { name?: string } | undefined)?.name === 'viewer user', {
      what: "the reviewer sees the viewer's presence",
    });
    await waitFor(() => (viewer.provider.awareness.getStates().get(editor.doc.clientID)?.user as { name?: string } | undefined)?.name === 'editor user', {
      what: "the viewer sees the editor's presence",
    });

    const rowId = newRowId();
    setCell(sheetOf(editor.doc, 'events'), rowId, 'summary', 'written by the editor');
    for (const reader of [viewer, reviewer]) {
      await waitFor(() => cellOf(reader.doc, 'events', rowId, 'summary') === 'written by the editor', { what: 'read-only clients receive the edit' });
    }
    const history = await waitFor(async () => {
      const entries = await rowHistory(server, DATASET, rowId);
      return entries.length > 0 ? entries : undefined;
    }, { what: "the editor's edit in the history" });
    expect(history).toEqual([expect.objectContaining({ column: 'summary', old: null, new: 'written by the editor', by: 'editor user' })]);
  });

  it("closes an editor's socket that changes columns with 4400 and keeps nothing of it; an admin may", async () => {
    const editor = await join(users.editor.token);
    const admin = await join(server.adminToken);
    const columns = sheetColumns(sheetOf(editor.doc, 'events'));
    const before = columns.length;
    columns.push([columnToYMap({ id: 'editor_column', name: 'Editor column', type: 'text' })]);
    await waitFor(() => editor.closes.includes(CloseCode.BadMessage), { what: "the editor's socket closed with 4400" });
    const fresh = await join(server.adminToken);
    expect(readColumns(sheetOf(fresh.doc, 'events')).map((c) => c.id)).not.toContain('editor_column');
    expect(sheetColumns(sheetOf(fresh.doc, 'events')).length).toBe(before);

    sheetColumns(sheetOf(admin.doc, 'events')).push([columnToYMap({ id: 'admin_column', name: 'Admin column', type: 'text' })]);
    await eventually(async () => {
      const { body } = await api(server, `/api/datasets/${DATASET}`);
      expect((body.sheets[0].columns as Array<{ id: string }>).map((c) => c.id)).toContain('admin_column');
    });
    expect(readColumns(sheetOf(fresh.doc, 'events')).map((c) => c.id)).toContain('admin_column');
  });

  it("removes a read-only user's presence from the others when its socket closes", async () => {
    const editor = await join(users.editor.token);
    const viewer = await join(users.viewer.token);
    viewer.provider.awareness.setLocalStateField('user', { name: 'leaving viewer' });
    await waitFor(() => editor.provider.awareness.getStates().has(viewer.doc.clientID), { what: 'presence arrives' });
    viewer.provider.disconnect();
    await waitFor(() => !editor.provider.awareness.getStates().has(viewer.doc.clientID), { what: 'presence removed' });
  });

  it('keeps read-only edits out even when a viewer resends them on reconnecting to a restarted server', async () => {
    const editor = await join(users.editor.token);
    const viewer = await join(users.viewer.token);
    const rowId = newRowId();
    await writeThenAnnounce(viewer, editor, rowId, 'viewer edit before the restart');
    const editorRow = newRowId();
    setCell(sheetOf(editor.doc, 'events'), editorRow, 'summary', 'editor edit before the restart');
    await waitFor(() => cellOf(viewer.doc, 'events', editorRow, 'summary') !== undefined, { what: "the viewer gets the editor's edit" });

    expect(await server.stop()).toBe(0);
    const again = await restartServer(server, { samePort: true });
    try {
      // Both providers reconnect by themselves; the viewer's sync step 2 carries its local edit again.
      await waitFor(() => viewer.provider.synced && editor.provider.synced, { what: 'both reconnect', timeoutMs: 15_000 });
      await writeThenAnnounce(viewer, editor, rowId, 'viewer edit after the restart');
      const fresh = await connectSynced(again, DATASET, server.adminToken);
      clients.push(fresh);
      expect(cellOf(fresh.doc, 'events', rowId, 'summary')).toBeUndefined();
      expect(cellOf(editor.doc, 'events', rowId, 'summary')).toBeUndefined();
      expect(cellOf(fresh.doc, 'events', editorRow, 'summary')).toBe('editor edit before the restart');
      expect(sheetsJson(fresh.doc)).toEqual(sheetsJson(editor.doc));
      expect(await storedByUser(again, users.viewer.id)).toEqual({ updates: 0, cellChanges: 0 });
    } finally {
      await again.dispose();
    }
  });
});
