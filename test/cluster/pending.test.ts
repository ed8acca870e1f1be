/**
 * An edit reaches the other instances as soon as its instance applied it, before it is stored, and is
 * never lost once another instance has it: the test keeps the origin instance from storing (a cut
 * relay in front of its PostgreSQL), kills it with its client, and the instance that applied the edit
 * stores it, also one where the document is only read. Edits their own instance stored are not stored a
 * second time. And a cell written at once through two instances is a conflict, found on both and recorded
 * once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow, setCell } from '../../model/document';
import { createDataset, createUser, type CreatedUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { query, startCluster, startClusterBehindRelay, TcpRelay, type Cluster } from '../helpers/cluster';
import { cellOf, rowsOf, sheetOf } from '../helpers/docs';
import type { RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'pending';
const ids = (client: Client) => rowsOf(client.doc, 'events').map(([id]) => id);
const stored = async (cluster: Cluster, rowId: string) =>
  (await query<{ cells: string }>(cluster, 'select cells from rows where dataset_id = $1 and row_id = $2', [DATASET, rowId]))[0];
const historyOf = (cluster: Cluster, rowId: string) =>
  query<{ column_id: string; user_id: string | null }>(cluster, 'select column_id, user_id from cell_changes where dataset_id = $1 and row_id = $2', [DATASET, rowId]);

describe('an edit applied on one instance and not stored when it stops', () => {
  let relay: TcpRelay;
  let cluster: Cluster;
  let origin: RunningServer;
  let other: RunningServer;
  let ana: CreatedUser;
  const clients: Client[] = [];
  beforeAll(async () => {
    // The first instance reaches PostgreSQL through a relay the test can cut; the second directly.
    ({ relay, cluster } = await startClusterBehindRelay());
    origin = cluster.instances[0]!;
    other = await cluster.add('direct', { DATABASE_URL: cluster.database.url });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
    await relay?.cut();
  });

  it('is stored by the instance that applied it, once the origin is gone; what the origin stored is stored once', async () => {
    await createDataset(origin, DATASET);
    ana = await createUser(origin, 'Ana Editor', 'editor');
    const a = await connectSynced(origin, DATASET, ana.token);
    const b = await connectSynced(other, DATASET);
    clients.push(a, b);
    // Both documents written to (pending updates are applied by documents in use for writing).
    insertRow(sheetOf(b.doc, 'events'), 'from-b', { summary: 'written through the second instance' });
    await waitFor(() => ids(a).includes('from-b'), { what: 'the first instance has the second one\'s row' });
    insertRow(sheetOf(a.doc, 'events'), 'stored', { summary: 'stored by its own instance' });
    await waitFor(async () => (await stored(cluster, 'stored')) !== undefined, { what: 'the first row stored by its instance' });
    await waitFor(() => ids(b).includes('stored'), { what: 'the first row at the second instance' });

    await relay.cut();
    await waitFor(async () => (await fetch(`${origin.url}/healthz`)).status === 503, { what: 'the first instance cannot store' });
    insertRow(sheetOf(a.doc, 'events'), 'unstored', { summary: 'applied, published, never stored by its instance' });
    // The second instance's client has it although its instance has not stored it.
    await waitFor(() => ids(b).includes('unstored'), { what: 'the unstored row at the second instance' });
    expect(await stored(cluster, 'unstored')).toBeUndefined();

    // The origin dies with its client; the second instance stores what it applied of it.
    a.destroy();
    await origin.kill();
    await waitFor(async () => (await stored(cluster, 'unstored')) !== undefined, { what: 'the unstored row stored by the second instance', timeoutMs: 20_000 });
    expect(JSON.parse((await stored(cluster, 'unstored'))!.cells)).toEqual({ summary: 'applied, published, never stored by its instance' });
    expect(await historyOf(cluster, 'unstored')).toEqual([{ column_id: 'summary', user_id: ana.id }]);
    // The row its own instance stored was not stored again.
    expect(await historyOf(cluster, 'stored')).toEqual([{ column_id: 'summary', user_id: ana.id }]);

    // In the log: an instance started now has it.
    const late = await connectSynced(await cluster.add('late', { DATABASE_URL: cluster.database.url }), DATASET);
    clients.push(late);
    expect(ids(late).sort()).toEqual(['from-b', 'stored', 'unstored']);
  });
});

describe('an edit seen on an instance where its document is only read', () => {
  let relay: TcpRelay;
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    ({ relay, cluster } = await startClusterBehindRelay());
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
    await relay?.cut();
  });

  it('reaches its readers there before it is stored, and is stored by that instance once the origin is gone', async () => {
    const origin = cluster.instances[0]!;
    const other = await cluster.add('reader', { DATABASE_URL: cluster.database.url });
    await createDataset(origin, DATASET);
    const ana = await createUser(origin, 'Ana Editor', 'editor');
    const writer = await connectSynced(origin, DATASET, ana.token);
    // Nobody writes through the second instance: its copy of the document stays as stored.
    const reader = await connectSynced(other, DATASET);
    clients.push(writer, reader);

    await relay.cut();
    await waitFor(async () => (await fetch(`${origin.url}/healthz`)).status === 503, { what: 'the first instance cannot store' });
    insertRow(sheetOf(writer.doc, 'events'), 'seen', { summary: 'seen by a reader, never stored by its instance' });
    await waitFor(() => ids(reader).includes('seen'), { what: 'the unstored row at the reader' });
    expect(await stored(cluster, 'seen')).toBeUndefined();

    writer.destroy();
    await origin.kill();
    await waitFor(async () => (await stored(cluster, 'seen')) !== undefined, { what: 'the row stored by the reader\'s instance', timeoutMs: 20_000 });
    expect(JSON.parse((await stored(cluster, 'seen'))!.cells)).toEqual({ summary: 'seen by a reader, never stored by its instance' });
    expect(await historyOf(cluster, 'seen')).toEqual([{ column_id: 'summary', user_id: ana.id }]);
  });
});

describe('one cell written at once through two instances', () => {
  let cluster: Cluster;
  const clients: Client[] = [];
  beforeAll(async () => {
    cluster = await startCluster(2);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await cluster?.dispose();
  });

  it('is recorded as one conflict, with both values and both writers, found on both instances', async () => {
    const [first, second] = cluster.instances as [RunningServer, RunningServer];
    await createDataset(first, 'both');
    const [ana, ben] = [await createUser(first, 'Ana Editor', 'editor'), await createUser(first, 'Ben Editor', 'editor')];
    const a = await connectSynced(first, 'both', ana.token);
    const b = await connectSynced(second, 'both', ben.token);
    clients.push(a, b);
    insertRow(sheetOf(a.doc, 'events'), 'row', { location: 'Seoul' });
    await waitFor(() => cellOf(b.doc, 'events', 'row', 'location') === 'Seoul', { what: 'the row at the second instance' });

    // In one turn of this process: neither client has the other's write when it makes its own.
    setCell(sheetOf(a.doc, 'events'), 'row', 'location', 'Beijing');
    setCell(sheetOf(b.doc, 'events'), 'row', 'location', 'Tokyo');
    await waitFor(() => cellOf(a.doc, 'events', 'row', 'location') === cellOf(b.doc, 'events', 'row', 'location'), { what: 'the two clients agree' });
    const kept = cellOf(a.doc, 'events', 'row', 'location');
    const listed = async (instance: RunningServer) =>
      (await api(instance, '/api/datasets/both/conflicts?status=open')).body as Array<{ id: string; kept: unknown; lost: unknown; keptBy: string; lostBy: string }>;
    await waitFor(async () => (await listed(first)).length > 0 && (await listed(second)).length > 0, { what: 'the conflict listed on both instances' });
    const [conflict] = await listed(second);
    expect(await listed(first)).toEqual(await listed(second));
    expect(await listed(first)).toHaveLength(1);
    expect({ kept: conflict!.kept, lost: conflict!.lost }).toEqual(kept === 'Beijing' ? { kept: 'Beijing', lost: 'Tokyo' } : { kept: 'Tokyo', lost: 'Beijing' });
    expect([conflict!.keptBy, conflict!.lostBy].sort()).toEqual(['Ana Editor', 'Ben Editor']);
  });
});
