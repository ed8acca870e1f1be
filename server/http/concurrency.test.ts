import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { handleError } from '../errors';
import { createLogger } from '../logger';
import { limitConcurrency } from './concurrency';

/**
 * An app whose `/slow` answers at once with a body that ends only when the test says so; with
 * `perUser`, the `x-user` header names the user.
 */
function app(max: number, queue: number, perUser?: { max: number; queue: number }) {
  const finishers: Array<() => void> = [];
  const hono = new Hono();
  hono.onError(handleError(createLogger('silent')));
  hono.use('/slow', limitConcurrency({
    max, queue, retryAfterSeconds: 7, ...(perUser && { perUser: { ...perUser, key: (c) => c.req.header('x-user') } }),
  }));
  hono.get('/slow', (c) => new Response(new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(['started', c.req.header('x-user')].filter(Boolean).join(' ')));
      finishers.push(() => controller.close());
    },
  })));
  return { hono, finishers };
}

/** A request as `user` whose answer (headers, not body) is tracked. */
function tracked(hono: Hono, user: string) {
  const call = { answered: false, response: Promise.resolve(hono.request('/slow', { headers: { 'x-user': user } })) };
  call.response.then(() => { call.answered = true; });
  return call;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('limitConcurrency', () => {
  it('holds a turn until the body is read to its end, queues the next and refuses past the queue with 429 and Retry-After', async () => {
    const { hono, finishers } = app(1, 1);
    const first = await hono.request('/slow');
    let secondDone = false;
    const second = Promise.resolve(hono.request('/slow')).then((res) => { secondDone = true; return res; });
    const third = await hono.request('/slow');
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('7');
    expect(await third.json()).toMatchObject({ error: { code: 'rate_limited' } });
    for (let i = 0; i < 5; i++) await turn();
    expect(secondDone).toBe(false);

    finishers[0]!();
    expect(await first.text()).toBe('started');
    expect((await second).status).toBe(200);
  });

  it('gives the turn back when the client goes away before the end', async () => {
    const { hono } = app(1, 0);
    const first = await hono.request('/slow');
    expect((await hono.request('/slow')).status).toBe(429);
    await first.body!.cancel();
    expect((await hono.request('/slow')).status).toBe(200);
  });

  it('gives the turn back before the last chunk reaches the client, so that its next request finds it free', async () => {
    const hono = new Hono();
    hono.onError(handleError(createLogger('silent')));
    hono.use('/json', limitConcurrency({ max: 1, queue: 0, retryAfterSeconds: 7 }));
    hono.get('/json', (c) => c.json({ ok: true }));
    const first = await hono.request('/json');
    // A client that knows the body's length stops reading at its last byte, without waiting for the end.
    const reader = first.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"ok":true}');
    expect((await hono.request('/json')).status).toBe(200);
  });

  it('gives each user a share: past their own running and waiting requests they get 429, and other users still get turns', async () => {
    const { hono, finishers } = app(3, 2, { max: 2, queue: 1 });
    const a1 = tracked(hono, 'a');
    const a2 = tracked(hono, 'a');
    const a3 = tracked(hono, 'a');
    const a4 = tracked(hono, 'a');
    for (let i = 0; i < 5; i++) await turn();
    expect([a1.answered, a2.answered, a3.answered, a4.answered]).toEqual([true, true, false, true]);
    const refused = await a4.response;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect((await refused.json()).error.message).toMatch(/You have 2 of these running and 1 waiting/);

    // Another user runs beside them: the total (3) is not reached.
    const b1 = tracked(hono, 'b');
    for (let i = 0; i < 5; i++) await turn();
    expect(b1.answered).toBe(true);
    // The total is: the next one waits, and past the total queue (a3 and c1) everyone gets 429.
    const c1 = tracked(hono, 'c');
    const d1 = tracked(hono, 'd');
    for (let i = 0; i < 5; i++) await turn();
    expect(c1.answered).toBe(false);
    expect((await d1.response).status).toBe(429);

    // a1 ends: a3 was first in line and a has a free place again.
    finishers[0]!();
    expect(await (await a1.response).text()).toBe('started a');
    for (let i = 0; i < 5; i++) await turn();
    expect(a3.answered).toBe(true);
    expect(c1.answered).toBe(false);
    // b1 ends: c1 starts.
    finishers[2]!();
    await (await b1.response).text();
    expect((await c1.response).status).toBe(200);
  });

  it('lets a later user go first while the one in front waits for their own share', async () => {
    const { hono, finishers } = app(2, 10, { max: 1, queue: 5 });
    const a1 = tracked(hono, 'a');
    const b1 = tracked(hono, 'b');
    const a2 = tracked(hono, 'a');
    for (let i = 0; i < 5; i++) await turn();
    expect([a1.answered, b1.answered, a2.answered]).toEqual([true, true, false]);
    const c1 = tracked(hono, 'c');
    finishers[1]!();
    await (await b1.response).text();
    for (let i = 0; i < 5; i++) await turn();
    // a2 is first in line but a still runs a1: c1 takes b1's place.
    expect(c1.answered).toBe(true);
    expect(a2.answered).toBe(false);
    finishers[0]!();
    await (await a1.response).text();
    expect((await a2.response).status).toBe(200);
  });

  it('lets a user with nothing running wait for the total even when their share has no queue', async () => {
    const { hono, finishers } = app(1, 5, { max: 1, queue: 0 });
    const a1 = tracked(hono, 'a');
    const b1 = tracked(hono, 'b');
    const a2 = tracked(hono, 'a');
    for (let i = 0; i < 5; i++) await turn();
    expect([a1.answered, b1.answered]).toEqual([true, false]);
    expect((await a2.response).status).toBe(429);
    finishers[0]!();
    await (await a1.response).text();
    expect((await b1.response).status).toBe(200);
  });
});
