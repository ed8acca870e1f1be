import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API } from '../../model/api';
import type { RouteKey } from '../../model/api/route';
import { type App, buildApp } from '../../test/helpers/app';
import { declarationFor, responseProblem } from './openapi-check';
import { withRoutesTable } from './openapi-docs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The app's routes as declarations name them: `GET /api/datasets/{id}`; an optional `:param?` both ways. */
function registeredRoutes(app: App['app']): Set<string> {
  const keys = new Set<string>();
  for (const { method, path } of app.routes) {
    if (method === 'ALL') continue;
    const openApi = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    if (path.endsWith('?')) {
      keys.add(`${method} ${openApi(path.replace(/\/:[^/]+\?$/, ''))}`);
      keys.add(`${method} ${openApi(path.slice(0, -1))}`);
    } else {
      keys.add(`${method} ${openApi(path)}`);
    }
  }
  return keys;
}

describe('the route declarations (model/api)', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('declare every route the app registers under /api, and no route it does not register', () => {
    const registered = registeredRoutes(app.app);
    const declared = new Set(Object.keys(API));
    const undeclared = [...registered].filter((key) => key.startsWith(`${key.split(' ')[0]} /api/`) && !declared.has(key));
    const unregistered = [...declared].filter((key) => !registered.has(key));
    expect(undeclared, 'routes the app registers that model/api does not declare').toEqual([]);
    expect(unregistered, 'routes model/api declares that the app does not register').toEqual([]);
  });

  it('serve the OpenAPI document to anyone, with every declared route in it', async () => {
    const res = await app.app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/public/);
    const doc = await res.json() as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const key of Object.keys(API) as RouteKey[]) {
      const [method, path] = key.split(' ') as [string, string];
      expect(doc.paths[path]?.[method.toLowerCase()]?.responses, key).toBeDefined();
    }
    const members = doc.paths['/api/datasets/{id}/members']!.get!.responses['200'] as { content: Record<string, { schema: unknown }> };
    expect(members.content['application/json']!.schema).toMatchObject({ type: 'array', items: { type: 'object', required: ['name', 'role', 'addedAt'] } });
  });

  it('find a request\'s route, the fixed path before a parameter', () => {
    expect(declarationFor('GET', '/api/datasets/demo/sources/export')?.key).toBe('GET /api/datasets/{id}/sources/export');
    expect(declarationFor('GET', '/api/datasets/demo/sources/s1')?.key).toBe('GET /api/datasets/{id}/sources/{sourceId}');
    expect(declarationFor('HEAD', '/api/me')?.key).toBe('GET /api/me');
    expect(declarationFor('GET', '/api/nowhere')).toBeUndefined();
  });

  it('tell an answer that does not match its declaration, and accept one that does', () => {
    const member = { name: 'rita', role: 'editor', addedAt: '2026-01-01T00:00:00Z' };
    expect(responseProblem('GET', '/api/datasets/d/members', 200, [member])).toBeNull();
    expect(responseProblem('GET', '/api/datasets/d/members', 200, [{ ...member, role: 'boss' }])).toMatch(/^0\.role: /);
    expect(responseProblem('GET', '/api/datasets/d/members', 200, { members: [member] })).toMatch(/array/);
    // Errors are `{error: {code, message}}` on every route; a success status must be declared.
    expect(responseProblem('GET', '/api/datasets/d/members', 404, { error: { code: 'not_found', message: 'No dataset' } })).toBeNull();
    expect(responseProblem('GET', '/api/datasets/d/members', 403, { message: 'no' })).toMatch(/error/);
    expect(responseProblem('GET', '/api/datasets/d/members', 202, [member])).toMatch(/status 202 is not declared/);
    expect(responseProblem('GET', '/api/nowhere', 404, { error: { code: 'not_found', message: 'No route' } })).toBeNull();
    expect(responseProblem('GET', '/api/nowhere', 404, 'Not Found')).toMatch(/object/);
  });

  it('answer 500 naming the route when a response does not match, while checking', async () => {
    const { checkResponses } = await import('./openapi-check');
    const { Hono } = await import('hono');
    const logged: string[] = [];
    const log = { error: (_: unknown, message: string) => logged.push(message) } as never;
    const wrong = new Hono().use('/api/*', checkResponses(log)).get('/api/datasets/:id/members', (c) => c.json([{ name: 'rita' }]));
    const res = await wrong.request('/api/datasets/d/members');
    expect(res.status).toBe(500);
    const body = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).parse(await res.json());
    expect(body.error.code).toBe('response_mismatch');
    expect(body.error.message).toMatch(/GET \/api\/datasets\/\{id\}\/members .*0\.role/);
    expect(logged).toHaveLength(1);
  });
});

describe('docs/api.md', () => {
  it('has the table of every route as the declarations render it (npm run docs:api)', () => {
    const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'api.md'), 'utf8');
    expect(page === withRoutesTable(page), 'docs/api.md is stale: run npm run docs:api').toBe(true);
  });
});
