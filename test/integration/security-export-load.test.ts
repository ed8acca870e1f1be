import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EVENTS } from '../../model/demo';
import { buildApp, type App } from '../helpers/app';
import { waitFor } from '../helpers/wait';

const EXPORT = 'http://localhost/api/datasets/demo/sheets/events/export?format=csv';

describe('concurrent exports', () => {
  let t: App;
  beforeAll(async () => { t = await buildApp({ http: { maxConcurrentExports: 2 } }); });
  afterAll(() => t.dispose());

  const exportCsv = () => t.app.request(EXPORT, { headers: { authorization: `Bearer ${t.adminToken}` } });

  it('runs at most MAX_CONCURRENT_EXPORTS at once: the next one waits until one of them has been sent', async () => {
    // Unread bodies: these exports are still running.
    const running = [await exportCsv(), await exportCsv()];
    let waitingAnswered = false;
    const waiting = Promise.resolve(exportCsv()).then((res) => { waitingAnswered = true; return res; });
    // Other requests are served meanwhile, and the third export still waits.
    expect((await t.app.request('http://localhost/healthz')).status).toBe(200);
    expect((await t.app.request('http://localhost/api/datasets', { headers: { authorization: `Bearer ${t.adminToken}` } })).status).toBe(200);
    expect(waitingAnswered).toBe(false);

    expect(await running[0]!.text()).toContain('row_id');
    await waitFor(() => waitingAnswered, { what: 'the queued export to start' });
    const third = await waiting;
    expect(third.status).toBe(200);
    // The header and every demo event: the queued export ran whole.
    expect((await third.text()).split('\r\n').filter(Boolean)).toHaveLength(1 + DEMO_EVENTS.length);
    await running[1]!.body!.cancel();
  });
});
