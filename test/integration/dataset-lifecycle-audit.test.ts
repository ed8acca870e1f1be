/**
 * A dataset's lifecycle in the audit log (`GET /api/audit`): its creation, archive, restore and deletion,
 * each with who and when, the deletion with what went with it; and the roles the list and the dataset
 * give on an archived dataset: `role` as the user acts now (viewer), `ownRole` theirs apart from the archive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, createUser, type CreatedUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { eventually } from '../helpers/eventually';
import { type RunningServer, startServer } from '../helpers/server';

interface Entry { at: string; by: string | null; action: string; target: string; detail: Record<string, unknown> }

async function auditOf(server: RunningServer, target: string): Promise<Entry[]> {
  const { status, body } = await api(server, '/api/audit');
  expect(status).toBe(200);
  return (body as Entry[]).filter((e) => e.target === target && e.action.startsWith('dataset.')).reverse();
}

describe('dataset lifecycle in the audit log', () => {
  let server: RunningServer;
  let dana: CreatedUser;
  let ana: CreatedUser;
  let ben: CreatedUser;
  beforeAll(async () => {
    server = await startServer();
    dana = await createUser(server, 'dana', 'editor');
    ana = await createUser(server, 'ana', 'editor');
    ben = await createUser(server, 'ben', 'editor');
  });
  afterAll(async () => {
    await server.dispose();
  });

  it('records who created, archived, restored and deleted a dataset, and when; the deletion names what went with it', async () => {
    const started = Date.now();
    await createDataset(server, 'audited');
    // A dataset's own admin (not a global one) archives and restores it.
    expect((await api(server, '/api/datasets/audited/members/dana', { method: 'PUT', body: { role: 'admin' } })).status).toBe(200);
    expect((await api(server, '/api/datasets/audited', { method: 'PATCH', body: { archived: true }, token: dana.token })).status).toBe(200);
    // Archiving what is archived changes nothing, and records nothing.
    expect((await api(server, '/api/datasets/audited', { method: 'PATCH', body: { archived: true }, token: dana.token })).status).toBe(200);
    expect((await api(server, '/api/datasets/audited', { method: 'PATCH', body: { archived: false }, token: dana.token })).status).toBe(200);

    const csv = 'row_id,actor1,event_type\nr1,Seoul,CONSULT\nr2,Pyongyang,THREATEN\nr3,Beijing,CONSULT\n';
    const imported = await fetch(`${server.url}/api/datasets/audited/sheets/events/import`, {
      method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'text/csv' }, body: csv,
    });
    expect(imported.status, await imported.clone().text()).toBe(200);
    await eventually(async () => {
      const { body } = await api(server, '/api/datasets/audited');
      expect((body.sheets as Array<{ id: string; rowCount: number }>).find((s) => s.id === 'events')?.rowCount).toBe(3);
    });
    expect((await api(server, '/api/datasets/audited/sources', { body: { title: 'One', text: 'First text.' } })).status).toBe(201);
    expect((await api(server, '/api/datasets/audited/sources', { body: { title: 'Two', text: 'Second text.' } })).status).toBe(201);
    expect((await api(server, '/api/datasets/audited/releases', { body: { rows: 'all' } })).status).toBe(201);
    const round = await api(server, '/api/datasets/audited/rounds', { body: { sheet: 'events', columns: ['event_type'], coders: [ana.name, ben.name], rows: ['r1', 'r2'] } });
    expect(round.status, JSON.stringify(round.body)).toBe(201);
    expect((await api(server, '/api/datasets/audited', { method: 'DELETE', body: { confirm: 'audited' }, token: dana.token })).status).toBe(200);
    const finished = Date.now();

    const entries = await auditOf(server, 'audited');
    expect(entries.map(({ action, by }) => ({ action, by }))).toEqual([
      { action: 'dataset.create', by: 'admin' },
      { action: 'dataset.archive', by: 'dana' },
      { action: 'dataset.restore', by: 'dana' },
      { action: 'dataset.delete', by: 'dana' },
    ]);
    for (const entry of entries) {
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(started - 1000);
      expect(Date.parse(entry.at)).toBeLessThanOrEqual(finished + 1000);
    }
    expect(entries[0]!.detail).toEqual({ name: 'Test audited', template: 'events-statements' });
    expect(entries[1]!.detail).toEqual({ name: 'Test audited' });
    expect(entries[3]!.detail).toEqual({
      name: 'Test audited',
      sheets: [{ id: 'events', name: 'Events', rows: 3 }, { id: 'statements', name: 'Statements', rows: 0 }],
      releases: 1, sources: 2, rounds: 1,
    });
  });

  it('on an archived dataset a global admin and a dataset admin act as viewers and are still named admins', async () => {
    await createDataset(server, 'shelved');
    expect((await api(server, '/api/datasets/shelved/members/dana', { method: 'PUT', body: { role: 'admin' } })).status).toBe(200);
    expect((await api(server, '/api/datasets/shelved', { method: 'PATCH', body: { archived: true } })).status).toBe(200);
    const listed = async (token: string) => ((await api(server, '/api/datasets?archived=1', { token })).body as Array<{ id: string }>).find((d) => d.id === 'shelved');
    expect(await listed(server.adminToken)).toMatchObject({ role: 'viewer', ownRole: 'admin' });
    expect(await listed(dana.token)).toMatchObject({ role: 'viewer', ownRole: 'admin' });
    expect(await listed(ana.token)).toMatchObject({ role: 'viewer', ownRole: 'editor' });
    expect((await api(server, '/api/datasets/shelved')).body).toMatchObject({ role: 'viewer', ownRole: 'admin' });
    // Read-only all the same: an admin's write waits for the restore.
    expect((await api(server, '/api/datasets/shelved/sources', { body: { title: 'No', text: 'Refused.' } })).status).toBe(403);
  });
});
