/**
 * The rows socket (`/ws/DATASET/rows`): the web client's one socket for the rooms of many rows. Rows
 * written through it reach stock clients of those rows and are stored (acknowledged per room); leaving a
 * room stops its messages; a frame for a room that is not a row of the socket's dataset closes that one
 * socket with 4400; a socket without a sign-in is closed with 4401, and so is one whose token is replaced.
 * A room the server refuses (a row of a deleted sheet, a write into a deleted row, a message it cannot
 * read) is closed alone, with a "room closed" frame, while the socket's other rooms keep syncing and
 * saving. Real server, the web client's own `RowSocket` over the `ws` package.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { CloseCode } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { readRoomClosed, readRowFrame, type RoomClose, rowFrame } from '../../model/row-frames';
import { DELETED_KEY, getRowCells, getRowState } from '../../model/row-document';
import { RowSocket } from '../../client/paged/row-socket';
import { createUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'rows-socket';
const OTHER = 'rows-socket-2';

interface Joined {
  doc: Y.Doc;
  synced: boolean;
  /** How often the room synced: once per connection of its socket. */
  syncs: number;
  stored: Map<number, number>;
  /** The server closed the room for good. */
  closed: RoomClose | null;
  leave(): void;
}

/** A client's sync step 1 of an empty document: how a room is joined. */
const stepOne = (doc = new Y.Doc()) => {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
};

describe('the rows socket', () => {
  let server: RunningServer;
  let token: string;
  const sockets: RowSocket[] = [];
  const clients: Client[] = [];

  const rowsSocket = (dataset = DATASET, who: string | null = token) => {
    const query = who ? `?token=${who}` : '';
    const socket = new RowSocket(`${server.wsUrl}/${dataset}/rows${query}`, WebSocket as unknown as typeof globalThis.WebSocket);
    sockets.push(socket);
    socket.connect();
    return socket;
  };
  const join = (socket: RowSocket, room: string): Joined => {
    const doc = new Y.Doc();
    const joined: Joined = {
      doc, synced: false, syncs: 0, stored: new Map(), closed: null,
      leave: () => channel.leave(),
    };
    const channel = socket.join(room, doc, {
      synced: () => {
        joined.synced = true;
        joined.syncs += 1;
      },
      stored: (stateVector) => { joined.stored = stateVector; },
      storeFailing: () => undefined,
      closed: (code, reason) => { joined.closed = { code, reason }; },
    });
    return joined;
  };
  const write = (doc: Y.Doc, cells: Record<string, CellValue>) => doc.transact(() => {
    for (const [column, value] of Object.entries(cells)) getRowCells(doc).set(column, value);
  });
  const storedAll = (joined: Joined) => (joined.stored.get(joined.doc.clientID) ?? 0) >= Y.getState(joined.doc.store, joined.doc.clientID);
  const stock = async (room: string) => {
    const client = await connectSynced(server, room, token);
    clients.push(client);
    return client;
  };
  /** A bare socket on the rows endpoint, keeping its close code and the frames it got. */
  const bare = (dataset: string, who: string | null = token) => {
    const ws = new WebSocket(`${server.wsUrl}/${dataset}/rows${who ? `?token=${who}` : ''}`);
    let closedWith: number | null = null;
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => {
      closedWith = code;
      resolve(code);
    }));
    const opened = new Promise((resolve) => ws.once('open', resolve));
    const frames: Array<{ room: string; message: Uint8Array }> = [];
    ws.on('message', (data: Buffer) => frames.push(readRowFrame(new Uint8Array(data))!));
    const roomClosed = (room: string) => frames.filter((f) => f.room === room).map((f) => readRoomClosed(f.message)).find((c) => c !== null);
    return { ws, closed, opened, frames, roomClosed, closedWith: () => closedWith };
  };

  beforeAll(async () => {
    server = await startServer();
    token = (await createUser(server, 'ada', 'editor')).token;
    for (const id of [DATASET, OTHER]) {
      const created = await api(server, '/api/datasets', { body: { id, name: id, layout: 'rows' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const client of clients) client.destroy();
    await server?.dispose();
  });

  it('carries many rows over one socket: each is synced, stored and seen by the row\'s stock clients', async () => {
    const socket = rowsSocket();
    const rows = [newRowId(), newRowId(), newRowId()];
    const joined = rows.map((row) => join(socket, rowRoom(DATASET, 'events', row)));
    await waitFor(() => joined.every((j) => j.synced), { what: 'every room synced' });
    joined.forEach((j, i) => write(j.doc, { actor1: `Actor ${i}`, event_type: 'AGREE' }));
    await waitFor(() => joined.every(storedAll), { what: 'every row stored' });

    const watcher = await stock(rowRoom(DATASET, 'events', rows[1]!));
    expect(getRowCells(watcher.doc).get('actor1')).toBe('Actor 1');
    const page = (await api(server, `/api/datasets/${DATASET}/sheets/events/rows?limit=100`)).body as { rows: Array<Record<string, CellValue>> };
    expect(page.rows.map((r) => r.actor1).sort()).toEqual(['Actor 0', 'Actor 1', 'Actor 2']);

    // And what a stock client writes reaches the rows socket's copy of that row.
    write(watcher.doc, { actor1: 'Changed elsewhere' });
    await waitFor(() => getRowCells(joined[1]!.doc).get('actor1') === 'Changed elsewhere', { what: 'the change reached the rows socket' });
  });

  it('stops sending a room\'s messages once the tab left it, and keeps the other rooms', async () => {
    const [left, kept] = [rowRoom(DATASET, 'events', newRowId()), rowRoom(DATASET, 'events', newRowId())];
    const tab = bare(DATASET);
    const rooms: string[] = [];
    tab.ws.on('message', (data: Buffer) => rooms.push(readRowFrame(new Uint8Array(data))!.room));
    await tab.opened;
    for (const room of [left, kept]) tab.ws.send(rowFrame(room, stepOne(new Y.Doc())));
    await waitFor(() => rooms.includes(left) && rooms.includes(kept), { what: 'both rooms answered' });
    tab.ws.send(rowFrame(left, new Uint8Array(0)));
    const [other1, other2] = [await stock(left), await stock(kept)];
    const seen = rooms.length;
    write(other1.doc, { actor1: 'Not for the left room' });
    write(other2.doc, { actor1: 'For the kept room' });
    await waitFor(() => rooms.slice(seen).includes(kept), { what: 'the kept room\'s change' });
    // The kept room's change was written after the left room's, and one socket keeps the server's order.
    expect(rooms.slice(seen)).not.toContain(left);
    tab.ws.close();
  });

  it('syncs every open room again after the socket reconnects, sending what was written meanwhile', async () => {
    const socket = rowsSocket();
    const row = newRowId();
    const room = join(socket, rowRoom(DATASET, 'events', row));
    await waitFor(() => room.synced, { what: 'synced' });
    socket.disconnect();
    write(room.doc, { actor1: 'Written while disconnected' });
    socket.connect();
    await waitFor(() => storedAll(room), { what: 'the change written while disconnected is stored' });
    const watcher = await stock(rowRoom(DATASET, 'events', row));
    expect(getRowCells(watcher.doc).get('actor1')).toBe('Written while disconnected');
  });

  it('closes with 4400 a socket that names a row of another dataset or a room that is no row, and nobody else', async () => {
    const socket = rowsSocket();
    const fine = join(socket, rowRoom(DATASET, 'events', newRowId()));
    await waitFor(() => fine.synced, { what: 'the other socket is synced' });

    for (const room of [rowRoom(OTHER, 'events', newRowId()), DATASET, 'not a room']) {
      const bad = bare(DATASET);
      await bad.opened;
      bad.ws.send(rowFrame(room, new Uint8Array([0, 0, 1, 0])));
      expect(await bad.closed, room).toBe(CloseCode.BadMessage);
    }
    const text = bare(DATASET);
    await text.opened;
    text.ws.send('hello');
    expect(await text.closed).toBe(CloseCode.BadMessage);

    write(fine.doc, { actor1: 'Still working' });
    await waitFor(() => storedAll(fine), { what: 'the other socket still stores' });
  });

  it('closes with 4401 a socket that is not signed in, and one whose token was replaced, with all its rooms', async () => {
    const anonymous = bare(DATASET, null);
    await anonymous.opened;
    anonymous.ws.send(rowFrame(rowRoom(DATASET, 'events', newRowId()), new Uint8Array([0, 0, 1, 0])));
    expect(await anonymous.closed).toBe(CloseCode.Unauthorized);

    const bo = await createUser(server, 'bo', 'editor');
    const tab = bare(DATASET, bo.token);
    await tab.opened;
    const rooms = [rowRoom(DATASET, 'events', newRowId()), rowRoom(DATASET, 'events', newRowId())];
    for (const room of rooms) tab.ws.send(rowFrame(room, stepOne()));
    await waitFor(() => rooms.every((room) => tab.frames.some((f) => f.room === room)), { what: 'both rooms answered' });
    expect((await api(server, '/api/users/bo/token', { method: 'POST' })).status).toBe(200);
    expect(await tab.closed).toBe(CloseCode.Unauthorized);
    expect(rooms.map((room) => tab.roomClosed(room))).toEqual([undefined, undefined]);
  });

  it('closes a room of a row of a sheet the dataset lacks alone, with 4404', async () => {
    const tab = bare(DATASET);
    await tab.opened;
    const [kept, unknown] = [rowRoom(DATASET, 'events', newRowId()), rowRoom(DATASET, 'nosheet', newRowId())];
    tab.ws.send(rowFrame(kept, stepOne()));
    tab.ws.send(rowFrame(unknown, stepOne()));
    await waitFor(() => tab.roomClosed(unknown) !== undefined, { what: 'the unknown row\'s room closed' });
    expect(tab.roomClosed(unknown)).toEqual({ code: CloseCode.NotFound, reason: 'Unknown row' });

    const other = await stock(kept);
    const seen = tab.frames.length;
    write(other.doc, { actor1: 'Still syncing' });
    await waitFor(() => tab.frames.slice(seen).some((f) => f.room === kept), { what: 'the kept room still hears its row' });
    expect(tab.closedWith()).toBeNull();
    tab.ws.close();
  });

  it('closes the rooms of a deleted sheet\'s rows alone: the socket\'s other rooms keep syncing and saving', async () => {
    const created = await api(server, `/api/datasets/${DATASET}/sheets`, { body: { id: 'notes', name: 'Notes', columns: [{ id: 'note', name: 'Note', type: 'text' }] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const socket = rowsSocket();
    const kept = join(socket, rowRoom(DATASET, 'events', newRowId()));
    const note = join(socket, rowRoom(DATASET, 'notes', newRowId()));
    await waitFor(() => kept.synced && note.synced, { what: 'both rooms synced' });

    expect((await api(server, `/api/datasets/${DATASET}/sheets/notes`, { method: 'DELETE' })).status).toBe(200);
    // The tab opens another row of the sheet it still shows.
    const gone = join(socket, rowRoom(DATASET, 'notes', newRowId()));
    await waitFor(() => gone.closed !== null, { what: 'the deleted sheet\'s row closed' });
    expect(gone.closed).toEqual({ code: CloseCode.NotFound, reason: 'Unknown row' });

    write(kept.doc, { actor1: 'Saved beside a deleted sheet' });
    await waitFor(() => storedAll(kept), { what: 'the other row is stored' });
    // One connection all along: a socket closed and opened again would have synced the room again.
    expect(kept.syncs).toBe(1);
    expect(socket.connected).toBe(true);
    expect(kept.closed).toBeNull();
  });

  it('closes alone, with 4400, the room of a row deleted elsewhere that the tab writes into', async () => {
    const socket = rowsSocket();
    const row = newRowId();
    const kept = join(socket, rowRoom(DATASET, 'events', newRowId()));
    const deleted = join(socket, rowRoom(DATASET, 'events', row));
    await waitFor(() => kept.synced && deleted.synced, { what: 'both rooms synced' });
    const elsewhere = await stock(rowRoom(DATASET, 'events', row));
    getRowState(elsewhere.doc).set(DELETED_KEY, true);
    await waitFor(() => getRowState(deleted.doc).get(DELETED_KEY) === true, { what: 'the deletion reached the tab' });

    write(deleted.doc, { actor1: 'Into a deleted row' });
    await waitFor(() => deleted.closed !== null, { what: 'the deleted row\'s room closed' });
    expect(deleted.closed!.code).toBe(CloseCode.BadMessage);

    write(kept.doc, { actor1: 'Saved beside a deleted row' });
    await waitFor(() => storedAll(kept), { what: 'the other row is stored' });
    expect(kept.syncs).toBe(1);
    expect(deleted.syncs).toBe(1);
  });

  it('closes alone, with 4400, a room sent a message it cannot read; later frames of it do not open it again', async () => {
    const tab = bare(DATASET);
    await tab.opened;
    const [bad, kept] = [rowRoom(DATASET, 'events', newRowId()), rowRoom(DATASET, 'events', newRowId())];
    for (const room of [bad, kept]) tab.ws.send(rowFrame(room, stepOne()));
    await waitFor(() => [bad, kept].every((room) => tab.frames.some((f) => f.room === room)), { what: 'both rooms answered' });
    // A sync update (0, 2) whose bytes are no update.
    tab.ws.send(rowFrame(bad, new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff])));
    await waitFor(() => tab.roomClosed(bad) !== undefined, { what: 'the bad room closed' });
    expect(tab.roomClosed(bad)).toEqual({ code: CloseCode.BadMessage, reason: 'Bad message' });
    // Sent before the client heard: not a join, so the room stays closed.
    tab.ws.send(rowFrame(bad, new Uint8Array([0, 2, 3, 0xff, 0xff, 0xff])));

    const [other1, other2] = [await stock(bad), await stock(kept)];
    const seen = tab.frames.length;
    write(other1.doc, { actor1: 'Not for the closed room' });
    write(other2.doc, { actor1: 'For the kept room' });
    await waitFor(() => tab.frames.slice(seen).some((f) => f.room === kept), { what: 'the kept room\'s change' });
    expect(tab.frames.slice(seen).map((f) => f.room)).not.toContain(bad);
    expect(tab.closedWith()).toBeNull();

    // Joined again, the room syncs again.
    tab.ws.send(rowFrame(bad, stepOne()));
    await waitFor(() => tab.frames.slice(seen).some((f) => f.room === bad), { what: 'the room joined again' });
    tab.ws.close();
  });
});
