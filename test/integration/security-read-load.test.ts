import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../helpers/app';
import { createUser, type CreatedUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';

/** Enough rows that one codebook or progress takes a noticeable time (a fifth of a second on a quiet machine). */
const ROWS = 20_000;
const FLOOD = 100;
const HEAVY = ['codebook', 'progress'];

function eventsCsv(): string {
  const records = [['event_date', 'actor1', 'event_type', 'summary', 'context', 'location']];
  for (let i = 0; i < ROWS; i++) {
    records.push(['2024-02-22', `Actor ${i % 50}`, i % 3 ? 'AGREE' : 'REJECT', `Summary ${i}: one sentence in our own words`, 'political; military', `Place ${i % 100}`]);
  }
  return csvOf(records);
}

/**
 * Heavy reads of a large dataset by one user: two run at once and two wait, the rest are refused at
 * once with 429; other users' requests and `/healthz` are served meanwhile.
 */
describe('heavy reads under load', () => {
  describe('one user\'s share (the app in-process: all requests reach it before any is answered)', () => {
    let t: App;
    let viewer: { token: string };
    let other: { token: string };

    beforeAll(async () => {
      t = await buildApp();
      viewer = await t.user('vera viewer', 'viewer');
      other = await t.user('otto other', 'viewer');
      const imported = await t.app.request('/api/datasets/demo/sheets/events/import', {
        method: 'POST', headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/csv' }, body: eventsCsv(),
      });
      expect(imported.status).toBe(200);
    });
    afterAll(() => t.dispose());

    const get = async (path: string, token: string) => {
      const res = await t.app.request(`/api/datasets/demo/${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
    };

    it.each([...HEAVY, 'history', 'sheets/events/problems'])('serves 4 of 100 parallel /%s of one viewer (2 at once, 2 waiting) and refuses 96 with 429 and Retry-After', async (path) => {
      const flood = Array.from({ length: FLOOD }, () => get(path, viewer.token));
      // Another user is not refused or queued behind them.
      const others = get(path, other.token);
      const answers = await Promise.all(flood);
      expect((await others).status).toBe(200);
      expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
      const refused = answers.filter((a) => a.status === 429);
      expect(refused).toHaveLength(FLOOD - 4);
      for (const answer of refused) {
        expect(answer.retryAfter).toBe('5');
        expect(answer.body.error.code).toBe('rate_limited');
      }
      // The share is free again.
      expect((await get(path, viewer.token)).status).toBe(200);
    });
  });

  describe('a real server', () => {
    let server: RunningServer;
    let viewer: CreatedUser;
    let other: CreatedUser;

    beforeAll(async () => {
      server = await startServer();
      viewer = await createUser(server, 'vera viewer', 'viewer');
      other = await createUser(server, 'otto other', 'viewer');
      const imported = await importFile(server, 'demo', 'events', eventsCsv());
      expect(imported.status, JSON.stringify(imported.body).slice(0, 300)).toBe(200);
    });
    afterAll(() => server.dispose());

    it.each(HEAVY)('answers /healthz and other users while one viewer sends 100 parallel /%s, refusing most of them', async (path) => {
      const url = `/api/datasets/demo/${path}`;
      let finished = false;
      // Heavy reads answered 200 so far, to count how many were served while one /healthz waited.
      let served = 0;
      const flood = Promise.all(Array.from({ length: FLOOD }, async () => {
        const answer = await api(server, url, { token: viewer.token });
        if (answer.status === 200) served++;
        return answer;
      })).finally(() => { finished = true; });
      const others = api(server, url, { token: other.token });
      let healthAnsweredMeanwhile = 0;
      let mostServedWhileHealthWaited = 0;
      while (!finished) {
        const servedBefore = served;
        expect((await api(server, '/healthz')).status).toBe(200);
        mostServedWhileHealthWaited = Math.max(mostServedWhileHealthWaited, served - servedBefore);
        if (!finished) healthAnsweredMeanwhile++;
      }
      const answers = await flood;
      expect((await others).status).toBe(200);

      const refused = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status !== 429).map((a) => a.status)).toEqual(Array(FLOOD - refused.length).fill(200));
      // While the server is busy it takes in one new connection per event-loop turn, so requests sent
      // together reach it spread out, and a few may come once the first are done, and be served.
      expect(refused.length).toBeGreaterThanOrEqual(FLOOD / 2);
      for (const answer of refused) expect(answer.headers.get('retry-after')).toBe('5');
      // /healthz is answered while the flood is, not behind it: counted in heavy reads rather than in seconds,
      // so that a busy machine does not decide. With all 100 codebooks served one after another, one /healthz
      // waited behind nearly all of them (21-30 s on two cores); with the share, behind at most one or two.
      expect(healthAnsweredMeanwhile, '/healthz answered before the flood was').toBeGreaterThan(0);
      expect(mostServedWhileHealthWaited, 'heavy reads served while one /healthz waited').toBeLessThanOrEqual(FLOOD / 10);
    });
  });
});
