import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { api, ApiError, MAX_RETRY_WAIT_MS, MAX_TRIES, retryWait, routeUrl } from './api';

/** A fake `fetch` answering from a list, one answer per request, recording each request. */
function fakeFetch(...answers: Array<() => Response>) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    requests.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${url}`);
    return next();
  });
  vi.stubGlobal('fetch', fetch);
  return requests;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const busy = (status: 429 | 503, retryAfter?: string) =>
  json({ error: { code: status === 429 ? 'too_many_requests' : 'unavailable', message: 'busy' } }, status, retryAfter === undefined ? {} : { 'retry-after': retryAfter });

const PROGRESS = { sheets: [], coders: [], days: [], timeline: [] };

describe('typed routes', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('fill the path\'s params and the query, and send a JSON body', async () => {
    const requests = fakeFetch(json([{ name: 'rita', role: 'editor', addedAt: 'now' }]), json({ name: 'rita', role: 'viewer' }));
    const members = await api.get('/api/datasets/{id}/members', { params: { id: 'a b/c' } });
    expectTypeOf(members).toEqualTypeOf<Array<{ name: string; role: 'admin' | 'editor' | 'reviewer' | 'viewer'; addedAt: string }>>();
    expect(members[0]!.name).toBe('rita');
    await api.put('/api/datasets/{id}/members/{userName}', { params: { id: 'd', userName: 'rita' }, body: { role: 'viewer' } });
    expect(requests.map((r) => [r.init.method, r.url, r.init.body])).toEqual([
      ['GET', '/api/datasets/a%20b%2Fc/members', undefined],
      ['PUT', '/api/datasets/d/members/rita', '{"role":"viewer"}'],
    ]);
    expect(requests[1]!.init.headers).toMatchObject({ 'content-type': 'application/json' });
    expect(routeUrl('/api/datasets/{id}/flags', { id: 'd' }, { status: undefined, sheet: 'events' })).toBe('/api/datasets/d/flags?sheet=events');
  });

  it('throw the server\'s error as an ApiError', async () => {
    fakeFetch(json({ error: { code: 'forbidden', message: 'Only an admin' } }, 403));
    const failed = api.get('/api/users').catch((err: unknown) => err);
    expect(await failed).toEqual(new ApiError(403, 'forbidden', 'Only an admin'));
    expect(await failed).toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('a GET the server refuses for now', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('is asked again after the Retry-After the server sends, for 429 and 503', async () => {
    const requests = fakeFetch(busy(429, '2'), busy(503, '1'), json(PROGRESS));
    let done = false;
    const progress = api.get('/api/datasets/{id}/progress', { params: { id: 'demo' } }).then((p) => { done = true; return p; });
    await vi.advanceTimersByTimeAsync(1999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await progress).toEqual(PROGRESS);
    expect(requests.map((r) => r.url)).toEqual(Array(3).fill('/api/datasets/demo/progress'));
  });

  it(`gives up after ${MAX_TRIES} tries with the server's error`, async () => {
    const requests = fakeFetch(busy(429, '1'), busy(429, '1'), busy(429, '1'), json(PROGRESS));
    const failed = api.get('/api/datasets/{id}/progress', { params: { id: 'demo' } }).catch((err: unknown) => err);
    await vi.runAllTimersAsync();
    expect(await failed).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(requests).toHaveLength(MAX_TRIES);
  });

  it('waits no longer than the cap, and a second when the server says nothing', () => {
    expect(retryWait('3600')).toBe(MAX_RETRY_WAIT_MS);
    expect(retryWait(null)).toBe(1000);
    expect(retryWait('soon')).toBe(1000);
    expect(retryWait('0')).toBe(0);
    expect(retryWait(new Date(Date.UTC(2026, 0, 1, 0, 0, 5)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(5000);
  });

  it('comes back at once to a caller that asks again on its own terms (retry: false)', async () => {
    const requests = fakeFetch(busy(429, '5'));
    const failed = api.get('/api/datasets/{id}/progress', { params: { id: 'demo' }, retry: false }).catch((err: unknown) => err);
    expect(await failed).toMatchObject({ status: 429 });
    expect(requests).toHaveLength(1);
  });

  it('is not a write: a refused POST is not sent again', async () => {
    const requests = fakeFetch(busy(429, '1'));
    const failed = api.post('/api/datasets/{id}/releases', { params: { id: 'demo' }, body: {} }).catch((err: unknown) => err);
    await vi.runAllTimersAsync();
    expect(await failed).toMatchObject({ status: 429 });
    expect(requests).toHaveLength(1);
  });
});
