/**
 * Converting a dataset to rows by page on two instances: the conversion asked of one closes the dataset's
 * room on the other (its clients get 4409), and what a client of the other instance wrote just before is
 * in the converted rows; the other instance then serves the dataset in its new layout. With Redis down the
 * other instance never hears of it: it finds the log started over and lets its room go, merging nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import type { CellValue } from '../../model/columns';
import { getSheet, getSheets, insertRow, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { rowRoom } from '../../model/rooms';
import { getRowCells } from '../../model/row-document';
import { api, connectSynced, type Client } from '../helpers/clients';
import { startCluster, TestRedis, type Cluster } from '../helpers/cluster';
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

describe('converting while the other instance does not hear of it (Redis down)', () => {
  let redis: TestRedis;
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    redis = await TestRedis.start();
    cluster = await startCluster(2, { redisUrl: redis.url });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
    await redis?.stop();
  });

  it('lets the room go on the instance that kept the old document, storing nothing of it into the new one', async () => {
    const [one, two] = cluster.instances as [typeof cluster.instances[0], typeof cluster.instances[0]];
    expect((await api(one, '/api/datasets', { body: { id: 'unheard', name: 'Unheard' } })).status).toBe(201);
    const stale = await connectSynced(two, 'unheard');
    clients.push(stale);
    const before = newRowId();
    insertRow(getSheet(stale.doc, 'events')!, before, { summary: 'stored before' });
    const exported = async () => ((await api(one, '/api/datasets/unheard/sheets/events/export?format=json')).body as { rows: Array<Record<string, CellValue>> }).rows;
    await eventually(async () => expect((await exported()).map((r) => r.row_id)).toEqual([before]));

    await redis.stop();
    const converted = await api(one, '/api/datasets/unheard/layout', { body: { layout: 'rows' } });
    expect(converted.status, JSON.stringify(converted.body)).toBe(200);
    // Instance two still holds the old document; a write through it reaches its store and finds the log started over.
    insertRow(getSheet(stale.doc, 'events')!, newRowId(), { summary: 'written into the old document' });
    await waitFor(() => stale.closes.includes(CloseCode.Converted), { what: 'instance two closes its room with 4409', timeoutMs: 15_000 });

    expect((await fetch(`${two.url}/healthz`)).status).toBe(200);
    expect((await exported()).map((r) => r.summary)).toEqual(['stored before']);
    const room = await connectSynced(one, 'unheard');
    clients.push(room);
    expect(sheetRows(getSheets(room.doc).get('events')!).size).toBe(0);
  });
});
