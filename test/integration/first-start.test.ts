import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_LIST_COLUMNS } from '../../model/actors';
import { DEMO_EVENTS, DEMO_STATEMENTS } from '../../model/demo';
import { DEMO_ACTORS } from '../../model/demo-actors';
import { TEMPLATES } from '../../model/templates';
import { exportSheet } from '../helpers/api';
import { api } from '../helpers/clients';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';

interface SheetInfo { id: string; name: string; columns: unknown[]; rowCount: number }

describe('first start with ADMIN_TOKEN set', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it('prints one line with the sign-in URL carrying the admin token', () => {
    const lines = server.output().split('\n').filter((l) => l.includes(`http://127.0.0.1:${server.port}/?token=`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`http://127.0.0.1:${server.port}/?token=${server.adminToken}`);
  });

  it('answers GET /healthz with 200 {"ok":true} without a token', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('lists the demo dataset', async () => {
    const { status, body } = await api(server, '/api/datasets');
    expect(status).toBe(200);
    expect(body).toEqual([expect.objectContaining({ id: 'demo', name: expect.any(String) })]);
  });

  it('gives the demo dataset the sheets events and statements with the template columns, and its actor list', async () => {
    const { status, body } = await api(server, '/api/datasets/demo');
    expect(status).toBe(200);
    expect(body.id).toBe('demo');
    const sheets = body.sheets as SheetInfo[];
    expect(sheets.map((s) => [s.id, s.rowCount])).toEqual([['events', DEMO_EVENTS.length], ['statements', DEMO_STATEMENTS.length], ['actors', DEMO_ACTORS.length]]);
    const [events, statements] = TEMPLATES['events-statements'];
    // The events' actor columns name the actor list.
    const named = events.columns.map((c) => (c.id === 'actor1' || c.id === 'actor2' ? { ...c, actors: 'actors' } : c));
    expect(sheets[0]).toMatchObject({ name: events.name, columns: named });
    expect(sheets[1]).toMatchObject({ name: statements.name, columns: statements.columns });
    expect(sheets[2]).toMatchObject({ name: 'Actors', columns: ACTOR_LIST_COLUMNS });
  });

  it('exports the demo statements with verbatim quotes, three of them linked to the video-link meeting', async () => {
    const eventsExport = JSON.parse((await exportSheet(server, 'demo', 'events', 'format=json')).text);
    const statementsExport = JSON.parse((await exportSheet(server, 'demo', 'statements', 'format=json')).text);
    const meeting = (eventsExport.rows as Array<Record<string, unknown>>).find((e) => e.event_type === 'CONSULT')!;
    const statements = statementsExport.rows as Array<Record<string, unknown>>;
    expect(statements.map((s) => s.quote)).toEqual(DEMO_STATEMENTS.map((s) => s.quote));
    expect(statements.map((s) => s.event_id)).toEqual([meeting.row_id, meeting.row_id, meeting.row_id, null, null]);
    expect(statements[3]!.quote).toContain('China has a role to play');
    expect(statements.every((s) => s.created_by === 'admin')).toBe(true);
  });

  it('signs a page visitor in from ?token=: 302 without the token, and an HttpOnly cookie that authenticates /api/me', async () => {
    const response = await fetch(`${server.url}/d/demo?token=${encodeURIComponent(server.adminToken)}&sheet=events`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = response.headers.get('location')!;
    expect(location).not.toContain('token');
    expect(location).toBe('/d/demo?sheet=events');
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/HttpOnly/i);
    expect(cookies[0]).not.toContain(server.adminToken);
    const session = cookies[0]!.split(';')[0]!;

    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: session } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'admin', role: 'admin' });
    const datasets = await fetch(`${server.url}/api/datasets`, { headers: { cookie: session } });
    expect(datasets.status).toBe(200);
  });

  it('does not sign anyone in from a wrong ?token=', async () => {
    const response = await fetch(`${server.url}/?token=wrong-token`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).not.toContain('wrong-token');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers /api/me with a made-up session cookie with 401', async () => {
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie: 'tessera_session=made-up' } });
    expect(me.status).toBe(401);
  });
});

describe('first start without ADMIN_TOKEN', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer({ adminToken: null }); });
  afterAll(async () => { await server.dispose(); });

  it('makes a random admin token and prints it in the sign-in URL', async () => {
    expect(server.adminToken.length).toBeGreaterThanOrEqual(32);
    const { status, body } = await api(server, '/api/me');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'admin', role: 'admin' });
  });

  it('does not seed the demo again or print a token on the next start', async () => {
    await server.stop();
    const again = await restartServer(server, { adminToken: null });
    try {
      expect(again.output()).not.toContain('?token=');
      const { body } = await api(again, '/api/datasets', { token: server.adminToken });
      expect((body as Array<{ id: string }>).map((d) => d.id)).toEqual(['demo']);
      const { body: demo } = await api(again, '/api/datasets/demo', { token: server.adminToken });
      expect((demo.sheets as SheetInfo[]).map((s) => s.rowCount)).toEqual([DEMO_EVENTS.length, DEMO_STATEMENTS.length, DEMO_ACTORS.length]);
    } finally {
      await again.dispose();
    }
  });
});
