/**
 * Per-dataset access and the user lifecycle through the real server and stock clients: a members-only
 * dataset does not exist for others, and every change reaches open sockets at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSheet, sheetRows, setCell } from '../../model/document';
import { createDataset } from '../helpers/api';
import { api, connect, connectSynced, type Client } from '../helpers/clients';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

describe('access per dataset', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const open: Client[] = [];
  const client = async (dataset: string, who: string) => {
    const c = await connectSynced(server, dataset, tokens[who]);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startServer();
    for (const [name, role] of [['ana', 'editor'], ['ben', 'editor'], ['vic', 'viewer']] as const) {
      tokens[name] = (await api(server, '/api/users', { body: { name, role } })).body.token;
    }
    await createDataset(server, 'team-a');
    expect((await api(server, '/api/datasets/team-a', { method: 'PATCH', body: { access: 'members' } })).status).toBe(200);
  });
  afterAll(async () => {
    for (const c of open) c.destroy();
    await server.dispose();
  });

  it('hides a members-only dataset from everyone else: not listed, 404 on its routes, 4404 on its socket', async () => {
    const listed = await api(server, '/api/datasets', { token: tokens.ana });
    expect(listed.body.map((d: { id: string }) => d.id)).not.toContain('team-a');
    for (const path of ['', '/history', '/flags', '/progress', '/settings', '/members', '/sheets/events/export', '/conflicts', '/sources']) {
      const { status, body } = await api(server, `/api/datasets/team-a${path}`, { token: tokens.ana });
      expect(status, path).toBe(404);
      expect(body.error.code).toBe('not_found');
    }
    const outsider = connect(server, 'team-a', tokens.ana);
    open.push(outsider);
    await waitFor(() => outsider.closes.includes(4404), { what: 'socket closed with 4404' });
  });

  it('lets a member in with their role on the dataset, and a change of role takes effect on the open socket', async () => {
    expect((await api(server, '/api/datasets/team-a/members/ana', { method: 'PUT', body: { role: 'editor' } })).status).toBe(200);
    expect((await api(server, '/api/datasets/team-a', { token: tokens.ana })).body).toMatchObject({ id: 'team-a', role: 'editor' });
    const ana = await client('team-a', 'ana');
    const watcher = await client('team-a', 'ana');
    const rows = () => sheetRows(getSheet(watcher.doc, 'events')!);
    const anaRows = () => sheetRows(getSheet(ana.doc, 'events')!);
    setCell(getSheet(ana.doc, 'events')!, 'row-by-ana', 'summary', 'written as an editor');
    await waitFor(() => rows().has('row-by-ana'), { what: 'the editor’s row reaches the other socket' });

    // Made a viewer: the same open socket's writes are no longer applied.
    expect((await api(server, '/api/datasets/team-a/members/ana', { method: 'PUT', body: { role: 'viewer' } })).status).toBe(200);
    setCell(getSheet(ana.doc, 'events')!, 'row-by-viewer', 'summary', 'written after the downgrade');
    setCell(getSheet(ana.doc, 'events')!, 'row-by-ana', 'location', 'after the downgrade');
    expect(anaRows().has('row-by-viewer')).toBe(true);
    // A later write by the admin arrives; the viewer's never does.
    const admin = await client('team-a', 'admin');
    setCell(getSheet(admin.doc, 'events')!, 'row-by-admin', 'summary', 'admin');
    await waitFor(() => rows().has('row-by-admin'), { what: 'the admin’s row' });
    expect(rows().has('row-by-viewer')).toBe(false);
    expect(rows().get('row-by-ana')?.get('location')).toBeUndefined();
    const history = await api(server, '/api/datasets/team-a/history?row=row-by-viewer');
    expect(history.body).toEqual([]);

    // Removed: the open socket is closed with 4403.
    expect((await api(server, '/api/datasets/team-a/members/ana', { method: 'DELETE' })).status).toBe(200);
    await waitFor(() => ana.closes.includes(4403), { what: 'the removed member’s socket closed with 4403' });
    expect((await api(server, '/api/datasets/team-a', { token: tokens.ana })).status).toBe(404);
  });

  it('closes a socket when its token is rotated (4401), and the old token stops working at once', async () => {
    const ben = await client('demo', 'ben');
    const rotated = await api(server, '/api/users/ben/token', { method: 'POST', token: tokens.ben });
    expect(rotated.status).toBe(200);
    await waitFor(() => ben.closes.includes(4401), { what: 'socket closed with 4401' });
    expect((await api(server, '/api/me', { token: tokens.ben })).status).toBe(401);
    expect((await api(server, '/api/me', { token: rotated.body.token })).body).toMatchObject({ name: 'ben' });
    tokens.ben = rotated.body.token;
    // Another user may not rotate ben's token.
    expect((await api(server, '/api/users/ben/token', { method: 'POST', token: tokens.vic })).status).toBe(403);
  });

  it('disables a user: 401 for their requests, their sockets closed, and enabling them again lets them back', async () => {
    const vic = await client('demo', 'vic');
    expect((await api(server, '/api/users/vic', { method: 'PATCH', body: { disabled: true } })).status).toBe(200);
    await waitFor(() => vic.closes.includes(4401), { what: 'the disabled user’s socket closed' });
    expect((await api(server, '/api/me', { token: tokens.vic })).status).toBe(401);
    expect((await api(server, '/api/users/vic', { method: 'PATCH', body: { disabled: false } })).status).toBe(200);
    expect((await api(server, '/api/me', { token: tokens.vic })).status).toBe(200);
  });

  it('gives a one-time sign-in link that works once', async () => {
    const link = await api(server, '/api/users/vic/link', { method: 'POST' });
    expect(link.status).toBe(201);
    const first = await fetch(`${server.url}${link.body.url}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('set-cookie')).toMatch(/tessera_session=/);
    const again = await fetch(`${server.url}${link.body.url}`, { redirect: 'manual' });
    expect(again.headers.get('location')).toMatch(/error=bad_token/);
  });

  it('keeps an audit log of who changed users, members and access', async () => {
    const { body } = await api(server, '/api/audit');
    const actions = (body as Array<{ action: string; by: string; target: string }>).map((e) => `${e.by} ${e.action} ${e.target}`);
    expect(actions).toEqual(expect.arrayContaining([
      'admin dataset.access team-a', 'admin member.set team-a', 'admin member.remove team-a', 'ben user.token ben',
      'admin user.disable vic', 'admin user.enable vic', 'admin user.link vic',
    ]));
    expect((await api(server, '/api/audit', { token: tokens.ana })).status).toBe(403);
  });
});
