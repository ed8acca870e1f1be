/**
 * What the web client's access controls read: each listed dataset with the user's role on it and its
 * access, and which of a user's sessions is the browser asking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../server/auth/secrets';
import { type App, buildApp } from '../helpers/app';

describe('answers the access controls read', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp();
  });
  afterAll(() => app.close());

  it('lists each dataset with the user’s role on it and whether it is members only', async () => {
    const ana = await app.user('ana', 'viewer');
    expect((await app.call('/api/datasets', { body: { id: 'open-one', name: 'Open' } })).status).toBe(201);
    expect((await app.call('/api/datasets', { body: { id: 'team-one', name: 'Team' } })).status).toBe(201);
    await app.call('/api/datasets/team-one', { method: 'PATCH', body: { access: 'members' } });
    await app.call('/api/datasets/team-one/members/ana', { method: 'PUT', body: { role: 'admin' } });

    const listed = (await app.call('/api/datasets', { token: ana.token })).body as Array<{ id: string; role: string; access: string }>;
    expect(listed.find((d) => d.id === 'open-one')).toMatchObject({ role: 'viewer', access: 'everyone' });
    expect(listed.find((d) => d.id === 'team-one')).toMatchObject({ role: 'admin', access: 'members' });
    expect((await app.call('/api/datasets/team-one', { token: ana.token })).body).toMatchObject({ role: 'admin', access: 'members' });
  });

  it('marks the session of the browser asking as current, and only that one', async () => {
    await app.call('/api/users/admin/password', { method: 'PUT', body: { password: 'admin password 1' } });
    const signIn = async () => {
      const res = await app.app.request('/api/session', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: 'admin password 1' }),
      });
      expect(res.status).toBe(200);
      return /tessera_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
    };
    const first = await signIn();
    await signIn();
    const res = await app.app.request('/api/users/admin/sessions', { headers: { cookie: `tessera_session=${first}` } });
    const sessions = (await res.json()) as Array<{ id: string; current: boolean }>;
    expect(sessions).toHaveLength(2);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    expect(hashSecret(first).startsWith(current[0]!.id)).toBe(true);
  });
});
