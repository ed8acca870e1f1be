/** Request body limits: past the limit 413, before the body is read (README.md#configuration, MAX_BODY_BYTES). */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { matchedRoutes } from 'hono/route';
import { AppError } from '../errors';

/** What a route that takes an upload declares about its body. */
export interface BodyRules {
  /** Media types accepted besides `application/json`, e.g. `text/csv`. */
  types?: readonly string[];
  /** A larger (or smaller) limit than MAX_BODY_BYTES for this route. */
  maxBytes?: number;
}

const RULES = Symbol('bodyRules');
type Marked = MiddlewareHandler & { [RULES]?: BodyRules };

function tooLarge(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError('too_large', `The request body is larger than ${maxBytes} bytes`);
    },
  });
}

/**
 * Route middleware for uploads: `.post('/import', acceptBody({ types: ['text/csv'], maxBytes: 50 << 20 }), handler)`.
 * The app-wide limit and the content-type check of cross-site protection read these rules, so the
 * route's own limit replaces MAX_BODY_BYTES and its types are accepted from the browser.
 */
export function acceptBody(rules: BodyRules): MiddlewareHandler {
  const handler: Marked = rules.maxBytes === undefined ? async (_c, next) => { await next(); } : tooLarge(rules.maxBytes);
  handler[RULES] = rules;
  return handler;
}

/** The rules the route serving this request declared with `acceptBody`, if any. */
export function bodyRules(c: Context): BodyRules | undefined {
  for (const route of matchedRoutes(c)) {
    const rules = (route.handler as Marked)[RULES];
    if (rules) return rules;
  }
  return undefined;
}

/**
 * The app-wide limit: a declared Content-Length over `maxBytes` is refused without reading a byte, and a
 * chunked body is cut off as soon as it passes `maxBytes`. Routes with their own `acceptBody` limit skip it.
 */
export function limitBodies(maxBytes: number): MiddlewareHandler {
  const limit = tooLarge(maxBytes);
  return async (c, next) => {
    if (bodyRules(c)?.maxBytes !== undefined) return next();
    return limit(c, next);
  };
}
