/**
 * A dataset in the `rows` layout on two instances: a row written through one instance's row room reaches a
 * grid (a socket on the dataset's room with `acks=1`) connected to the other instance, as a row delta, even
 * though that instance never loaded the row's room.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { type RowDelta, StoreMessage } from '../../model/codes';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startCluster, type Cluster } from '../helpers/cluster';
import { waitFor } from '../helpers/wait';

const DATASET = 'rows-across';

describe('row deltas between instances', () => {
  let cluster: Cluster;
  const clients: Client[] = [];
  const sockets: WebSocket[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    for (const ws of sockets) ws.close();
    await cluster?.dispose();
  });

  it("reach the other instance's grids on the dataset's room", async () => {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const created = await api(one, '/api/datasets', { body: { id: DATASET, name: 'Across', layout: 'rows' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const ws = new WebSocket(`${two.wsUrl}/${DATASET}?acks=1&token=${cluster.adminToken}`);
    sockets.push(ws);
    const deltas: RowDelta[] = [];
    ws.on('message', (data: Buffer) => {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      if (decoding.readVarUint(decoder) === StoreMessage.RowsChanged) deltas.push(...(JSON.parse(decoding.readVarString(decoder)) as RowDelta[]));
    });
    await new Promise((resolve) => ws.once('open', resolve));
    // Instance two has joined the dataset's room on the bus once a client of it is synced.
    const grid = await connectSynced(two, DATASET);
    clients.push(grid);

    const row = newRowId();
    const writer = await connectSynced(one, rowRoom(DATASET, 'events', row));
    clients.push(writer);
    getRowCells(writer.doc).set('summary', 'typed on instance one');
    await waitFor(() => deltas.some((d) => d.row === row && d.cells?.summary === 'typed on instance one'), { what: 'the delta reaches instance two', timeoutMs: 10_000 });
    expect(deltas.filter((d) => d.row === row).at(-1)).toEqual({ sheet: 'events', row, cells: { summary: 'typed on instance one' } });
  });
});
