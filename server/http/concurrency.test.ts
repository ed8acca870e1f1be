import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { handleError } from '../errors';
import { createLogger } from '../logger';
import { limitConcurrency } from './concurrency';

/** An app whose `/slow` answers at once with a body that ends only when the test says so. */
function app(max: number, queue: number) {
  const finishers: Array<() => void> = [];
  const hono = new Hono();
  hono.onError(handleError(createLogger('silent')));
  hono.use('/slow', limitConcurrency({ max, queue, retryAfterSeconds: 7 }));
  hono.get('/slow', () => new Response(new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('started'));
      finishers.push(() => controller.close());
    },
  })));
  return { hono, finishers };
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
});
