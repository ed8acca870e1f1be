import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { handleError } from '../errors';
import { createLogger } from '../logger';
import { acceptBody, limitBodies } from './body-limit';
import { refuseCrossSiteWrites } from './cross-site';

function app() {
  const hono = new Hono();
  hono.onError(handleError(createLogger('silent')));
  hono.use(limitBodies(100));
  hono.use(refuseCrossSiteWrites([]));
  hono.post('/json', async (c) => c.json({ length: (await c.req.text()).length }));
  hono.post('/import', acceptBody({ types: ['text/csv'], maxBytes: 1000 }), async (c) => c.json({ length: (await c.req.text()).length }));
  // The same route inside a sub-app mounted with `route`, as resource routes are.
  hono.route('/sub', new Hono().post('/import', acceptBody({ types: ['text/csv'], maxBytes: 1000 }), async (c) => c.json({ length: (await c.req.text()).length })));
  return hono;
}

const chunked = (bytes: number) => new ReadableStream<Uint8Array>({
  start(controller) {
    for (let sent = 0; sent < bytes; sent += 50) controller.enqueue(new Uint8Array(Math.min(50, bytes - sent)).fill(120));
    controller.close();
  },
});

const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  app().request(`http://localhost${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, duplex: 'half' } as RequestInit);

describe('request body limits', () => {
  it('answers a body over the limit with 413 and the JSON envelope, with Content-Length and chunked', async () => {
    const declared = await post('/json', 'x'.repeat(101));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: 'too_large' } });
    const streamed = await post('/json', chunked(500));
    expect(streamed.status).toBe(413);
    expect((await post('/json', chunked(100))).status).toBe(200);
  });

  it.each(['/import', '/sub/import'])('gives a route declared with acceptBody its own limit and content type: %s', async (path) => {
    const csv = await post(path, 'a,b\r\n'.repeat(100), { 'content-type': 'text/csv' });
    expect(csv.status).toBe(200);
    expect(await csv.json()).toEqual({ length: 500 });
    expect((await post(path, chunked(1001), { 'content-type': 'text/csv' })).status).toBe(413);
    // Elsewhere text/csv is what a cross-site form could not send either, but it is not declared there.
    expect((await post('/json', 'a,b', { 'content-type': 'text/csv' })).status).toBe(403);
  });
});
