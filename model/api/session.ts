/** Signing in and out, and who is signed in; the server's health; this document itself. */
import { z } from 'zod';
import { SignInBody, User } from '../http';
import { file, routes } from './route';

export const Health = z.object({
  ok: z.boolean(),
  /** Why it is not healthy: storing changes fails, or the database does not answer. */
  error: z.string().optional(),
  /** With several instances: whether this one hears the others. */
  bus: z.enum(['connected', 'disconnected']).optional(),
});

/** An OpenAPI 3.1 document; its shape is the OpenAPI specification's. */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) });

export const sessionRoutes = routes({
  'GET /healthz': {
    summary: 'Whether the server accepts connections and stores changes',
    who: 'anyone',
    responses: { 200: Health, 503: Health },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (docs/metrics.md)',
    who: 'Authorization: Bearer METRICS_TOKEN',
    responses: { 200: file('text/plain') },
  },
  'GET /api/openapi.json': {
    summary: 'This API as an OpenAPI 3.1 document',
    who: 'anyone',
    responses: { 200: OpenApiDocument },
  },
  'POST /api/session': {
    summary: 'Signs in with a name and password, or a sign-in link\'s token; sets the session cookie',
    who: 'anyone',
    body: SignInBody,
    responses: { 200: User },
  },
  'DELETE /api/session': {
    summary: 'Signs out: sockets opened with that session\'s cookie close with 4401',
    who: 'anyone',
    responses: { 204: z.undefined() },
  },
  'GET /api/me': {
    summary: 'The signed-in user',
    who: 'any user',
    responses: { 200: User },
  },
});
