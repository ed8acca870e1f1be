/**
 * Administering a dataset as one transaction: creation, deletion, renames, archives, access and members are kept together with
 * their audit entries or not at all, and open sockets (and the document's name) follow only once the
 * change has committed. On a real SQLite file (a real PostgreSQL database with TESSERA_TEST_STORE=pg),
 * whose audit log is made to fail by a trigger.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { getMeta } from '../../model/document';
import { hashSecret } from '../../server/auth/secrets';
import type { App } from '../helpers/app';
import { allowAudits, audited, buildAdminApp, fakePeer, recordCommits, refuseAudits, type StoreSql } from './admin-store';

describe('dataset administration', () => {
  let app: App;
  let sql: StoreSql;
  /** What happened, in order: transactions settling, sockets changing. */
  const log: string[] = [];

  beforeAll(async () => {
    ({ app, sql } = await buildAdminApp());
    recordCommits(app.storage.datasets, 'changeDataset', log);
    recordCommits(app.storage.datasets, 'changeMember', log);
  });
  afterAll(async () => {
    await sql.close();
    await app.close();
  });
  beforeEach(() => {
    log.length = 0;
  });

  async function dataset(id: string) {
    expect((await app.call('/api/datasets', { body: { id, name: `Dataset ${id}`, template: 'events-statements' } })).status).toBe(201);
  }
  /** An editor with a socket open on the dataset, signed in with their token. */
  async function editorOn(name: string, datasetId: string) {
    const user = await app.user(name, 'editor');
    return { ...user, socket: fakePeer(app, { userId: user.id, datasetId, credential: `token:${hashSecret(user.token)}`, role: 'editor' }, log) };
  }
  const stored = async (id: string) => (await sql.rows('SELECT name, access, archived_at FROM datasets WHERE id = ?', [id]))[0]!;
  const documentName = (id: string) => app.services.registry.with(id, (shared) => shared.read((doc) => getMeta(doc).get('name')));
  /** Runs `request` while the audit log refuses every entry; it answers 500. */
  async function withAuditsFailing(request: () => Promise<{ status: number }>) {
    await refuseAudits(sql);
    try {
      expect((await request()).status).toBe(500);
    } finally {
      await allowAudits(sql);
    }
  }

  it('keeps no rename and no access change whose audit entries fail, neither in the catalog nor in the document', async () => {
    await dataset('atlas');
    const ana = await editorOn('ana', 'atlas');
    await withAuditsFailing(() => app.call('/api/datasets/atlas', { method: 'PATCH', body: { name: 'Renamed', access: 'members' } }));
    expect(await stored('atlas')).toMatchObject({ name: 'Dataset atlas', access: 'everyone' });
    expect(await documentName('atlas')).toBe('Dataset atlas');
    expect(ana.socket.closedWith).toBeNull();
    expect(await audited(sql, 'dataset.rename')).toEqual([]);

    const changed = await app.call('/api/datasets/atlas', { method: 'PATCH', body: { name: 'Renamed', access: 'members' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: 'atlas', name: 'Renamed', access: 'members', role: 'admin' });
    expect(await stored('atlas')).toMatchObject({ name: 'Renamed', access: 'members' });
    expect(await documentName('atlas')).toBe('Renamed');
    expect(await audited(sql, 'dataset.rename')).toEqual([{ target: 'atlas', detail: { from: 'Dataset atlas', to: 'Renamed' } }]);
    expect(await audited(sql, 'dataset.access')).toEqual([{ target: 'atlas', detail: { from: 'everyone', to: 'members' } }]);
    // Ana, no member, loses the dataset: her socket closes once the change has committed.
    expect(log).toEqual(['changeDataset settled', 'changeDataset settled', `closed ${CloseCode.Forbidden}`]);
  });

  it('keeps no new dataset and deletes none whose audit entry fails', async () => {
    await withAuditsFailing(() => app.call('/api/datasets', { body: { id: 'cairn', name: 'Dataset cairn', template: 'events-statements' } }));
    expect(await sql.rows('SELECT id FROM datasets WHERE id = ?', ['cairn'])).toEqual([]);
    await dataset('cairn');
    expect(await audited(sql, 'dataset.create')).toContainEqual({ target: 'cairn', detail: { name: 'Dataset cairn', template: 'events-statements' } });

    await withAuditsFailing(() => app.call('/api/datasets/cairn', { method: 'DELETE', body: { confirm: 'cairn' } }));
    expect(await sql.rows('SELECT id FROM datasets WHERE id = ?', ['cairn'])).toEqual([{ id: 'cairn' }]);
    expect(await audited(sql, 'dataset.delete')).toEqual([]);
    expect((await app.call('/api/datasets/cairn', { method: 'DELETE', body: { confirm: 'cairn' } })).status).toBe(200);
    expect(await sql.rows('SELECT id FROM datasets WHERE id = ?', ['cairn'])).toEqual([]);
    expect((await audited(sql, 'dataset.delete')).map((e) => e.target)).toEqual(['cairn']);
  });

  it('keeps no archive whose audit entry fails; an archive that commits makes open sockets read-only after it', async () => {
    await dataset('bower');
    const ben = await editorOn('ben', 'bower');
    await withAuditsFailing(() => app.call('/api/datasets/bower', { method: 'PATCH', body: { archived: true } }));
    expect((await stored('bower')).archived_at).toBeNull();
    expect(ben.socket.roles).toEqual([]);

    expect((await app.call('/api/datasets/bower', { method: 'PATCH', body: { archived: true } })).status).toBe(200);
    expect((await stored('bower')).archived_at).not.toBeNull();
    expect(log).toEqual(['changeDataset settled', 'changeDataset settled', 'role viewer']);
    // Renaming waits for the restore, and is refused inside the transaction: nothing is written.
    expect((await app.call('/api/datasets/bower', { method: 'PATCH', body: { name: 'Nope' } })).status).toBe(403);
    expect(await stored('bower')).toMatchObject({ name: 'Dataset bower' });
    expect(await audited(sql, 'dataset.archive')).toEqual([{ target: 'bower', detail: { name: 'Dataset bower' } }]);
  });

  it('keeps no membership change whose audit entry fails; sockets follow the one that commits', async () => {
    await dataset('cove');
    expect((await app.call('/api/datasets/cove', { method: 'PATCH', body: { access: 'members' } })).status).toBe(200);
    const cy = await editorOn('cy', 'cove');
    log.length = 0;
    await withAuditsFailing(() => app.call('/api/datasets/cove/members/cy', { method: 'PUT', body: { role: 'reviewer' } }));
    expect(await sql.rows('SELECT role FROM dataset_members WHERE dataset_id = ?', ['cove'])).toEqual([]);

    expect(await app.call('/api/datasets/cove/members/cy', { method: 'PUT', body: { role: 'reviewer' } })).toEqual({ status: 200, body: { name: 'cy', role: 'reviewer' } });
    expect(await sql.rows('SELECT role FROM dataset_members WHERE dataset_id = ?', ['cove'])).toEqual([{ role: 'reviewer' }]);
    expect(log).toEqual(['changeMember settled', 'changeMember settled', 'role reviewer']);

    log.length = 0;
    await withAuditsFailing(() => app.call('/api/datasets/cove/members/cy', { method: 'DELETE' }));
    expect(await sql.rows('SELECT role FROM dataset_members WHERE dataset_id = ?', ['cove'])).toEqual([{ role: 'reviewer' }]);
    expect(cy.socket.closedWith).toBeNull();

    expect(await app.call('/api/datasets/cove/members/cy', { method: 'DELETE' })).toEqual({ status: 200, body: { name: 'cy', removed: true } });
    expect(await sql.rows('SELECT role FROM dataset_members WHERE dataset_id = ?', ['cove'])).toEqual([]);
    expect(log).toEqual(['changeMember settled', 'changeMember settled', `closed ${CloseCode.Forbidden}`]);
    expect((await audited(sql, 'member.set')).map((e) => e.detail)).toEqual([{ user: 'cy', role: 'reviewer' }]);
    expect((await audited(sql, 'member.remove')).map((e) => e.detail)).toEqual([{ user: 'cy' }]);
    // Removing one who is not a member is refused inside the transaction, and audits nothing.
    expect((await app.call('/api/datasets/cove/members/cy', { method: 'DELETE' })).status).toBe(404);
    expect(await audited(sql, 'member.remove')).toHaveLength(1);
  });

  it('lists the datasets with the role each gives the user, memberships read with the list', async () => {
    await dataset('dune');
    expect((await app.call('/api/datasets/dune', { method: 'PATCH', body: { access: 'members' } })).status).toBe(200);
    const dee = await app.user('dee', 'viewer');
    expect((await app.call('/api/datasets/dune/members/dee', { method: 'PUT', body: { role: 'editor' } })).status).toBe(200);
    const listed = (await app.call('/api/datasets', { token: dee.token })).body as Array<{ id: string; role: string; ownRole: string }>;
    expect(listed.find((d) => d.id === 'dune')).toMatchObject({ role: 'editor', ownRole: 'editor' });
    // Members-only datasets she is no member of are not listed; open ones are, with her global role.
    expect(listed.map((d) => d.id)).not.toContain('atlas');
    expect(listed.find((d) => d.id === 'bower')).toBeUndefined();
    expect((await app.call('/api/datasets?archived=1', { token: dee.token })).body).toContainEqual(expect.objectContaining({ id: 'bower', role: 'viewer', ownRole: 'viewer' }));
  });
});
