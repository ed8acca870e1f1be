import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server';

const MiB = 1024 * 1024;
const ATTACK_BYTES = 200 * MiB;

/** Peak and current resident memory of a process, in bytes. */
function memory(pid: number): { peak: number; now: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/**
 * Streams up to `bytes` of body to an unauthenticated sign-in as fast as the server takes it, and stops
 * at the first answer. Bounded: at most `bytes` and 30 s.
 */
function sendLargeBody(server: RunningServer, bytes: number, chunked: boolean): Promise<{ status: number; body: string; sent: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = bytes;
    const req = request(`${server.url}/api/session`, { method: 'POST', headers });
    const chunk = Buffer.alloc(MiB, 0x20);
    let sent = 0;
    let answered = false;
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`no answer after sending ${sent} bytes`)); }, 30_000);
    const pump = () => {
      while (!answered && sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, body, sent });
      });
    });
    // The server may close the connection once it has answered; the answer is what counts.
    req.on('error', (err) => { if (!answered) { clearTimeout(timer); reject(err); } });
    pump();
  });
}

describe('request body limit', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it.each([['with Content-Length', false], ['chunked', true]])(
    'answers an unauthenticated 200 MiB sign-in body (%s) with 413 without the server holding it in memory',
    async (_how, chunked) => {
      const before = memory(server.process.pid!);
      const { status, body } = await sendLargeBody(server, ATTACK_BYTES, chunked);
      const after = memory(server.process.pid!);
      expect(after.peak - before.peak, `peak RSS grew from ${before.peak / MiB} to ${after.peak / MiB} MiB`).toBeLessThan(64 * MiB);
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'too_large', message: expect.any(String) } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    },
  );

  it('refuses a signed-in body over MAX_BODY_BYTES too', async () => {
    const res = await fetch(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(MiB + 1) }),
    });
    expect(res.status).toBe(413);
  });
});
