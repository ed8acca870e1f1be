/**
 * Converting a dataset to rows by page on two instances: the conversion asked of one closes the dataset's
 * room on the other (its clients get 4409), and what a client of the other instance wrote just before is
 * in the converted rows; the other instance then serves the dataset in its new layout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { getSheet, getSheets, insertRow, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startCluster, type Cluster } from '../helpers/cluster';
import { eventually } from '../helpers/eventually';
import { waitFor } from '../helpers/wait';

const DATASET = 'converted-across';

describe('converting a dataset to rows by page on several instances', () => {
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
  });

  it("closes the other instance's room, and keeps what was written through it", async () => {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    const created = await api(one, '/api/datasets', { body: { id: DATASET, name: 'Across' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const writer = await connectSynced(two, DATASET);
    clients.push(writer);
    const rows = [newRowId(), newRowId(), newRowId()];
    writer.doc.transact(() => {
      rows.forEach((row, i) => insertRow(getSheet(writer.doc, 'events')!, row, { summary: `written on instance two, ${i}` }));
    });
    const exported = async () => ((await api(one, `/api/datasets/${DATASET}/sheets/events/export?format=json`)).body as { rows: Array<Record<string, CellValue>> }).rows;
    await eventually(async () => expect((await exported()).map((r) => r.row_id).sort()).toEqual([...rows].sort()));

    const converted = await api(one, `/api/datasets/${DATASET}/layout`, { body: { layout: 'rows' } });
    expect(converted.status, JSON.stringify(converted.body)).toBe(200);
    expect(converted.body.rows.events).toBe(3);
    await waitFor(() => writer.closes.includes(CloseCode.Converted), { what: "instance two's client closed with 4409", timeoutMs: 10_000 });

    // Instance two serves the dataset in its new layout: its room without rows, each row in its own.
    const room = await connectSynced(two, DATASET);
    clients.push(room);
    expect(sheetRows(getSheets(room.doc).get('events')!).size).toBe(0);
    const own = await connectSynced(two, rowRoom(DATASET, 'events', rows[1]!));
    clients.push(own);
    expect(getRowCells(own.doc).get('summary')).toBe('written on instance two, 1');
    getRowCells(own.doc).set('summary', 'changed after the conversion');
    await eventually(async () => expect((await exported()).find((r) => r.row_id === rows[1])?.summary).toBe('changed after the conversion'));
  });
});
