/**
 * Under tests (TESSERA_CHECK_RESPONSES=1), every JSON answer under /api is checked against its route's
 * declaration (model/api): an answer that does not match is logged and replaced by a 500 naming the route
 * and what differs, so every test that calls the API also checks the declared schemas.
 */
import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { API } from '../../model/api';
import { ErrorBody, isFileAnswer, type RouteDeclaration, type RouteKey } from '../../model/api/route';
import type { Logger } from '../logger';
import { splitKey } from './openapi';

interface Matcher {
  key: RouteKey;
  method: string;
  pattern: RegExp;
  /** Path segments without a parameter: `/sources/export` wins over `/sources/{sourceId}`. */
  fixed: number;
  route: RouteDeclaration;
}

const matchers: Matcher[] = (Object.entries(API) as Array<[RouteKey, RouteDeclaration]>).map(([key, route]) => {
  const [method, path] = splitKey(key);
  const source = path.split('/').map((part) => (/^\{.+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/');
  return { key, method, pattern: new RegExp(`^${source}/?$`), fixed: path.split('/').filter((part) => !part.startsWith('{')).length, route };
});

/** The declaration of a request's route, the most specific one when several match. */
export function declarationFor(method: string, path: string): Matcher | undefined {
  // A HEAD request is answered by the GET route.
  const asked = method === 'HEAD' ? 'GET' : method;
  return matchers.filter((m) => m.method === asked && m.pattern.test(path)).sort((a, b) => b.fixed - a.fixed)[0];
}

/** Why an answer does not match its declaration, or null when it does. */
export function responseProblem(method: string, path: string, status: number, body: unknown): string | null {
  const match = declarationFor(method, path);
  // A route without a declaration is left to the test that lists the app's routes, which names it.
  if (!match) return status >= 400 ? check(ErrorBody, body) : null;
  const declared = match.route.responses[status];
  if (declared === undefined) return status >= 400 ? check(ErrorBody, body) : `status ${status} is not declared`;
  if (isFileAnswer(declared)) return null;
  return check(declared, body);
}

function check(schema: z.ZodType, body: unknown): string | null {
  const parsed = schema.safeParse(body);
  if (parsed.success) return null;
  return parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}

export function checkResponses(log: Logger): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const type = c.res.headers.get('content-type') ?? '';
    if (c.res.status === 204 || !type.includes('application/json')) return;
    const method = c.req.method;
    const path = c.req.path;
    let body: unknown;
    try {
      body = JSON.parse(await c.res.clone().text());
    } catch {
      body = undefined;
    }
    const problem = responseProblem(method, path, c.res.status, body);
    if (problem === null) return;
    const route = declarationFor(method, path)?.key ?? `${method} ${path}`;
    const message = `The answer of ${route} (status ${c.res.status}) does not match its declaration in model/api: ${problem}`;
    log.error({ route, status: c.res.status }, message);
    c.res = new Response(JSON.stringify({ error: { code: 'response_mismatch', message } }), {
      status: 500, headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    // Hono carries the first answer's headers over: its length is not this one's.
    c.res.headers.delete('content-length');
  };
}
