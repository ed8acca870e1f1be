/**
 * Refuses cross-site writes made with the browser's ambient credentials (the session cookie): a
 * cookie-carrying `POST`/`PUT`/`PATCH`/`DELETE` needs `Content-Type: application/json` (or a type its
 * route declared with `acceptBody`), which a form or a no-CORS fetch from another site cannot send,
 * and an `Origin` that is ours or listed in ALLOWED_ORIGINS. Requests with `Authorization: Bearer` carry
 * no ambient credentials and pass; so does the sign-in itself only under the same rules (login CSRF).
 */
import type { MiddlewareHandler } from 'hono';
import { forbidden } from '../errors';
import { bodyRules } from './body-limit';
import { client } from './client-info';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function refuseCrossSiteWrites(allowedOrigins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(allowedOrigins);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || /^Bearer\s/i.test(c.req.header('authorization') ?? '')) return next();

    const origin = c.req.header('origin');
    if (origin !== undefined) {
      if (origin !== client(c).origin && !allowed.has(origin)) throw forbidden(`Requests from ${origin} may not change anything here`);
    } else {
      // Browsers that omit Origin still say where a request came from.
      const site = c.req.header('sec-fetch-site');
      if (site === 'cross-site' || site === 'same-site') throw forbidden('Requests from another site may not change anything here');
    }

    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const types = ['application/json', ...(bodyRules(c)?.types ?? [])];
    if (!types.includes(type)) {
      throw forbidden(`A signed-in browser's request must send Content-Type: ${types.join(' or ')}`);
    }
    await next();
  };
}
