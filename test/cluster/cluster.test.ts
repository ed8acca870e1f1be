/**
 * Several instances on one PostgreSQL database and one Redis: stock clients spread over them converge,
 * see each other's presence, and a late joiner of any instance gets everything; the history and the read
 * model record each change once, whatever instance it came through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { insertRow, setCell } from '../../model/document';
import { createDataset, exportSheet } from '../helpers/api';
import { api, connect, connectSynced, type Client } from '../helpers/clients';
import { query, startCluster, type Cluster } from '../helpers/cluster';
import { cellOf, rowsOf, sheetOf, sheetsJson } from '../helpers/docs';
import { waitFor } from '../helpers/wait';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Rows of a dataset in the read model, which is written in the same transaction as the log. */
const storedRows = async (cluster: Cluster, dataset: string) =>
  (await query<{ n: number }>(cluster, 'select count(*)::int as n from rows where dataset_id = $1', [dataset]))[0]!.n;

describe('three instances on one database and one Redis', () => {
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    cluster = await startCluster(3);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
  });

  const synced = async (instance: number, dataset: string) => {
    const client = await connectSynced(cluster.instances[instance]!, dataset);
    clients.push(client);
    return client;
  };

  it('converges clients spread over the instances, recording each change once in the history and the read model', async () => {
    await createDataset(cluster.instances[0]!, 'spread');
    const spread = await Promise.all([0, 0, 1, 1, 2, 2].map((i) => synced(i, 'spread')));
    const before = await query<{ n: string }>(cluster, `select count(*) as n from cell_changes where dataset_id = 'spread'`);
    const ROUNDS = 20;
    // Every client adds its own rows, and all of them keep overwriting one shared cell.
    await Promise.all(spread.map(async (client, c) => {
      const events = sheetOf(client.doc, 'events');
      if (c === 0) insertRow(events, 'hot', { summary: 'start' });
      for (let round = 0; round < ROUNDS; round++) {
        insertRow(events, `c${c}-r${round}`, { summary: `client ${c} round ${round}` });
        if (cellOf(client.doc, 'events', 'hot', 'summary') !== undefined) setCell(events, 'hot', 'summary', `hot by ${c} in ${round}`);
        await pause(5);
      }
    }));
    const expectedRows = spread.length * ROUNDS + 1;
    await waitFor(() => spread.every((client) => rowsOf(client.doc, 'events').length === expectedRows), { what: 'every row everywhere', timeoutMs: 20_000 });
    const first = JSON.stringify(sheetsJson(spread[0]!.doc));
    await waitFor(() => spread.every((client) => JSON.stringify(sheetsJson(client.doc)) === first), { what: 'identical documents', timeoutMs: 20_000 });

    // The read model, from every instance, holds the converged value of the contested cell and every row.
    const hot = cellOf(spread[0]!.doc, 'events', 'hot', 'summary');
    for (const instance of cluster.instances) {
      await waitFor(async () => {
        const { text } = await exportSheet(instance, 'spread', 'events', 'format=json');
        const { rows } = JSON.parse(text) as { rows: Array<Record<string, unknown>> };
        return rows.length === expectedRows && rows.find((row) => row.row_id === 'hot')?.summary === hot;
      }, { what: 'the read model caught up', timeoutMs: 10_000 });
    }
    // Each row's insert is one history entry, however many instances hold the document.
    const inserts = await query<{ n: string }>(cluster, `select count(*) as n from cell_changes where dataset_id = 'spread' and row_id like 'c%-r%'`);
    expect(Number(inserts[0]!.n)).toBe(spread.length * ROUNDS);
    const all = await query<{ n: string }>(cluster, `select count(*) as n from cell_changes where dataset_id = 'spread'`);
    const hotChanges = await query<{ n: string }>(cluster, `select count(*) as n from cell_changes where dataset_id = 'spread' and row_id = 'hot'`);
    expect(Number(all[0]!.n) - Number(before[0]!.n)).toBe(spread.length * ROUNDS + Number(hotChanges[0]!.n));
    // Every update is logged once: the log rebuilds the same document.
    const logged = await query<{ update: Buffer }>(cluster, `select "update" from updates where dataset_id = 'spread' order by seq`);
    const snapshot = await query<{ state: Buffer }>(cluster, `select state from snapshots where dataset_id = 'spread'`);
    const rebuilt = new Y.Doc();
    for (const piece of [...snapshot.map((s) => s.state), ...logged.map((l) => l.update)]) Y.applyUpdate(rebuilt, piece);
    expect(JSON.stringify(sheetsJson(rebuilt))).toBe(first);
  });

  it('gives a client that joins any instance late everything the others accepted, loaded or not', async () => {
    await createDataset(cluster.instances[0]!, 'late');
    // Instance 2 holds the document (a reader is connected) while instance 1's client writes.
    const reader = await synced(1, 'late');
    const writer = await synced(0, 'late');
    for (let i = 0; i < 30; i++) insertRow(sheetOf(writer.doc, 'events'), `row-${i}`, { summary: `written ${i}` });
    await waitFor(() => rowsOf(reader.doc, 'events').length === 30, { what: 'the reader on another instance sees the rows' });
    // A late joiner of the instance that held it, and of one that did not load it yet.
    for (const instance of [1, 2]) {
      const late = await synced(instance, 'late');
      await waitFor(() => rowsOf(late.doc, 'events').length === 30, { what: `a late joiner of instance ${instance + 1}` });
      expect(sheetsJson(late.doc)).toEqual(sheetsJson(writer.doc));
    }
  });

  it('relays presence between instances, named by the signed-in user, to clients that were there and to late ones', async () => {
    await createDataset(cluster.instances[0]!, 'presence');
    const here = await synced(0, 'presence');
    const there = await synced(1, 'presence');
    here.provider.awareness.setLocalStateField('cursor', { row: 'r1', column: 'summary' });
    const seen = (client: Client) => [...client.provider.awareness.getStates().values()].find((state) => state.cursor?.row === 'r1');
    const relayed = await waitFor(() => seen(there), { what: 'presence on the other instance' });
    expect(relayed?.user?.name).toBe('admin');
    // An instance that loads the dataset later asks the others for their clients' presence.
    const late = await synced(2, 'presence');
    await waitFor(() => seen(late), { what: 'presence for a late joiner of a third instance', timeoutMs: 5000 });
    // Leaving is relayed too.
    const id = here.provider.awareness.clientID;
    here.provider.awareness.setLocalState(null);
    await waitFor(() => !there.provider.awareness.getStates().has(id), { what: 'presence removed on the other instance' });
  });

  it('closes the sockets of every instance when a dataset is deleted on one', async () => {
    await createDataset(cluster.instances[0]!, 'doomed');
    const elsewhere = await synced(2, 'doomed');
    const { status } = await api(cluster.instances[0]!, '/api/datasets/doomed', { method: 'DELETE', body: { confirm: 'doomed' } });
    expect(status).toBe(200);
    await waitFor(() => elsewhere.closes.includes(4404), { what: 'the other instance closed its socket with 4404' });
  });
});

describe('one of three instances killed with -9', () => {
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    cluster = await startCluster(3);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
  });

  it('loses nothing it stored, and its clients resume on another instance with what they had not sent', async () => {
    await createDataset(cluster.instances[0]!, 'killed');
    const [a, b, c] = cluster.instances;
    const onA = await connectSynced(a!, 'killed');
    const onB = await connectSynced(b!, 'killed');
    const onC = await connectSynced(c!, 'killed');
    clients.push(onA, onB, onC);
    const events = sheetOf(onA.doc, 'events');
    for (let i = 0; i < 50; i++) insertRow(events, `before-${i}`, { summary: `before kill ${i}` });
    // Stored by instance A (its clients' edits reach the others' clients before that).
    await waitFor(async () => (await storedRows(cluster, 'killed')) === 50, { what: 'instance A stored the first rows' });
    await waitFor(() => rowsOf(onB.doc, 'events').length === 50, { what: 'instance B has them' });
    // Edits A applies but may not store before it dies, then the kill, while C's client keeps writing.
    for (let i = 0; i < 20; i++) insertRow(events, `during-${i}`, { summary: `during kill ${i}` });
    const killed = a!.kill();
    for (let i = 0; i < 10; i++) insertRow(sheetOf(onC.doc, 'events'), `on-c-${i}`, { summary: `on instance C ${i}` });
    await killed;
    // Its client reconnects through the load balancer to instance B, with the same document.
    onA.provider.destroy();
    const resumed = connect(b!, 'killed');
    clients.push(resumed);
    Y.applyUpdate(resumed.doc, Y.encodeStateAsUpdate(onA.doc));
    await waitFor(() => resumed.provider.synced, { what: 'resumed on instance B' });
    insertRow(sheetOf(resumed.doc, 'events'), 'after', { summary: 'after kill' });
    await waitFor(() => [onB, onC, resumed].every((client) => rowsOf(client.doc, 'events').length === 81), { what: 'every row on both live instances', timeoutMs: 15_000 });
    // What A applied and had not stored is stored by the instances that received it, once A's mark lapsed.
    await waitFor(async () => (await storedRows(cluster, 'killed')) === 81, { what: 'every row stored', timeoutMs: 20_000 });
    // Stored: a fresh instance on the same database serves all of it.
    const fresh = await cluster.add('i4');
    const reader = await connectSynced(fresh, 'killed');
    clients.push(reader);
    expect(rowsOf(reader.doc, 'events').map(([id]) => id).sort()).toEqual(rowsOf(onB.doc, 'events').map(([id]) => id).sort());
    expect(rowsOf(reader.doc, 'events')).toHaveLength(81);
  });
});
