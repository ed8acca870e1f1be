/**
 * Administering users as one transaction: the checks, the change and its audit entry are kept together or
 * not at all, and open sockets follow only once the change has committed. On a real SQLite file (a real
 * PostgreSQL database with TESSERA_TEST_STORE=pg), whose audit log is made to fail by a trigger.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../model/codes';
import { hashSecret } from '../../server/auth/secrets';
import { createSession } from '../../server/auth/users';
import type { App } from '../helpers/app';
import { allowAudits, audited, buildAdminApp, fakePeer, recordCommits, refuseAudits, type StoreSql } from './admin-store';

describe('user administration', () => {
  let app: App;
  let sql: StoreSql;
  /** What happened, in order: transactions settling, sockets closing. */
  const log: string[] = [];

  beforeAll(async () => {
    ({ app, sql } = await buildAdminApp());
    expect((await app.call('/api/datasets', { body: { id: 'shared', name: 'Shared', template: 'events-statements' } })).status).toBe(201);
    recordCommits(app.storage.users, 'changeUser', log);
    recordCommits(app.storage.users, 'deleteSessionsOf', log);
    recordCommits(app.storage.users, 'setTokenHash', log);
  });
  afterAll(async () => {
    await sql.close();
    await app.close();
  });
  beforeEach(() => {
    log.length = 0;
  });

  const userRow = async (name: string) => (await sql.rows('SELECT role, disabled_at FROM users WHERE name = ?', [name]))[0]!;
  const sessionsOf = async (name: string) => (await app.call(`/api/users/${name}/sessions`)).body as unknown[];
  /** A user with a browser session and a socket open with it on the shared dataset. */
  async function signedInUser(name: string) {
    const user = await app.user(name, 'editor');
    const { secret } = await createSession(app.storage.users, user.id);
    const socket = fakePeer(app, { userId: user.id, datasetId: 'shared', credential: `session:${hashSecret(secret)}`, role: 'editor' }, log);
    return { ...user, socket };
  }

  it('keeps no role change whose audit entry fails, and keeps both when it is written', async () => {
    const ren = await signedInUser('ren');
    await refuseAudits(sql);
    try {
      expect((await app.call('/api/users/ren', { method: 'PATCH', body: { role: 'viewer' } })).status).toBe(500);
    } finally {
      await allowAudits(sql);
    }
    expect((await userRow('ren')).role).toBe('editor');
    expect(await audited(sql, 'user.role')).toEqual([]);
    expect(ren.socket.roles).toEqual([]);

    const changed = await app.call('/api/users/ren', { method: 'PATCH', body: { role: 'viewer' } });
    expect(changed).toEqual({ status: 200, body: { id: ren.id, name: 'ren', role: 'viewer', disabled: false } });
    expect((await userRow('ren')).role).toBe('viewer');
    expect(await audited(sql, 'user.role')).toEqual([{ target: 'ren', detail: { from: 'editor', to: 'viewer' } }]);
    // The open socket is told its new role once the change has committed, and not after the failed one.
    expect(log).toEqual(['changeUser settled', 'changeUser settled', 'role viewer']);
  });

  it('keeps a user enabled, their sessions and their open socket when the audit entry of disabling them fails', async () => {
    const sol = await signedInUser('sol');
    await refuseAudits(sql);
    try {
      expect((await app.call('/api/users/sol', { method: 'PATCH', body: { disabled: true } })).status).toBe(500);
    } finally {
      await allowAudits(sql);
    }
    expect((await userRow('sol')).disabled_at).toBeNull();
    expect(await sessionsOf('sol')).toHaveLength(1);
    expect(sol.socket.closedWith).toBeNull();
    expect(log).toEqual(['changeUser settled']);
  });

  it('closes the sockets of a disabled user only once the disabling has committed', async () => {
    const tia = await signedInUser('tia');
    expect((await app.call('/api/users/tia', { method: 'PATCH', body: { disabled: true } })).status).toBe(200);
    expect(tia.socket.closedWith).toBe(CloseCode.Unauthorized);
    expect(log).toEqual(['changeUser settled', `closed ${CloseCode.Unauthorized}`]);
    expect((await userRow('tia')).disabled_at).not.toBeNull();
    expect(await sessionsOf('tia')).toEqual([]);
    expect(await audited(sql, 'user.disable')).toEqual([{ target: 'tia', detail: {} }]);
  });

  it('writes nothing when a check refuses inside the transaction', async () => {
    const before = await sql.rows('SELECT count(*) AS n FROM audit_log');
    // An admin cannot give up their own admin role, nor disable themselves.
    expect((await app.call('/api/users/admin', { method: 'PATCH', body: { role: 'editor' } })).status).toBe(400);
    expect((await app.call('/api/users/admin', { method: 'PATCH', body: { disabled: true } })).status).toBe(400);
    expect((await app.call('/api/users/nobody', { method: 'PATCH', body: { role: 'editor' } })).status).toBe(404);
    expect((await userRow('admin')).role).toBe('admin');
    expect(await sql.rows('SELECT count(*) AS n FROM audit_log')).toEqual(before);
  });

  it('signs no session out whose audit entry fails, and closes the sockets of those it ends after the commit', async () => {
    const uma = await signedInUser('uma');
    await refuseAudits(sql);
    try {
      expect((await app.call('/api/users/uma/sessions', { method: 'DELETE' })).status).toBe(500);
    } finally {
      await allowAudits(sql);
    }
    expect(await sessionsOf('uma')).toHaveLength(1);
    expect(uma.socket.closedWith).toBeNull();

    expect(await app.call('/api/users/uma/sessions', { method: 'DELETE' })).toEqual({ status: 200, body: { ended: 1 } });
    expect(log).toEqual(['deleteSessionsOf settled', 'deleteSessionsOf settled', `closed ${CloseCode.Unauthorized}`]);
    expect(await sessionsOf('uma')).toEqual([]);
    expect(await audited(sql, 'user.signout')).toEqual([{ target: 'uma', detail: { sessions: 1 } }]);
  });

  it('keeps the old token when the audit entry of a new one fails', async () => {
    const val = await app.user('val', 'editor');
    const socket = fakePeer(app, { userId: val.id, datasetId: 'shared', credential: `token:${hashSecret(val.token)}`, role: 'editor' }, log);
    await refuseAudits(sql);
    try {
      expect((await app.call('/api/users/val/token', { method: 'POST' })).status).toBe(500);
    } finally {
      await allowAudits(sql);
    }
    expect((await app.call('/api/datasets', { token: val.token })).status).toBe(200);
    expect(socket.closedWith).toBeNull();

    const rotated = await app.call('/api/users/val/token', { method: 'POST' });
    expect(rotated.status).toBe(200);
    expect((await app.call('/api/datasets', { token: val.token })).status).toBe(401);
    expect((await app.call('/api/datasets', { token: rotated.body.token })).status).toBe(200);
    expect(log).toEqual(['setTokenHash settled', 'setTokenHash settled', `closed ${CloseCode.Unauthorized}`]);
  });

  it('creates no user whose audit entry fails, nor their sign-in link', async () => {
    await refuseAudits(sql);
    try {
      expect((await app.call('/api/users', { body: { name: 'wes', role: 'viewer' } })).status).toBe(500);
    } finally {
      await allowAudits(sql);
    }
    expect(await sql.rows('SELECT id FROM users WHERE name = ?', ['wes'])).toEqual([]);
    const created = await app.call('/api/users', { body: { name: 'wes', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(await audited(sql, 'user.create')).toContainEqual({ target: 'wes', detail: { role: 'viewer' } });
    expect(await sql.rows('SELECT count(*) AS n FROM signin_links WHERE user_id = ?', [created.body.id])).toEqual([{ n: testCount(1) }]);
  });
});

/** A count as the store answers it: a number on SQLite, a string on PostgreSQL (`bigint`). */
function testCount(n: number): number | string {
  return process.env.TESSERA_TEST_STORE === 'pg' ? String(n) : n;
}
