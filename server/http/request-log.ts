/**
 * One log line per request at `info`, and the request in the HTTP metrics: method, the route's pattern,
 * status, time taken, who asked and the request's id. Never the query string (a `?token=` is a
 * credential) nor a header.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { METHOD_NAME_ALL } from 'hono/router';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { client } from './client-info';

/** A request no route answers: its path would make a label per made-up URL. */
export const UNMATCHED_ROUTE = 'unmatched';

const SIGN_IN_ROUTE = '/api/session';

export function requestLog(log: Logger, metrics?: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    const route = routeOf(c);
    const { status } = c.res;
    const user = (c.get('user') as { id: string } | undefined)?.id;
    const requestId = c.get('requestId') as string | undefined;
    log.info({ method: c.req.method, route, status, ms: Math.round(ms * 10) / 10, user, requestId }, 'request');
    metrics?.httpRequest(c.req.method, route, status, ms / 1000);
    // Refused sign-ins, with the address they came from: what a guessing attack looks like in the log.
    if (route === SIGN_IN_ROUTE && c.req.method === 'POST' && (status === 401 || status === 429)) {
      log.warn({ status, address: client(c).address, requestId }, 'sign-in refused');
    }
  };
}

/**
 * The pattern of the route a request was for (`/api/datasets/:id/flags`). When a middleware answered
 * (a 401 before the route ran, a 429 from a limit), the route it stood in front of; none at all:
 * `unmatched`.
 */
export function routeOf(c: Context): string {
  const routes = matchedRoutes(c);
  const answered = routes[c.req.routeIndex];
  if (answered && answered.method !== METHOD_NAME_ALL) return answered.path;
  const ahead = routes.slice(c.req.routeIndex + 1).find((route) => route.method !== METHOD_NAME_ALL);
  return ahead?.path ?? UNMATCHED_ROUTE;
}
