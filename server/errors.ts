import type { Context } from 'hono';
import { ErrorCode, type ErrorBody } from '../model/codes';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable } from './http/unavailable';
import type { Logger } from './logger';
import { DatasetConverting, DatasetNotStored } from './sync/registry';

/** Seconds a client waits before asking again about a dataset being converted to the `rows` layout. */
const CONVERTING_RETRY_AFTER_SECONDS = 5;

/** The one error the app throws on purpose; `onError` turns it into the JSON envelope `{"error": {"code", "message"}}`. */
export class AppError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }

  get status(): (typeof ErrorCode)[ErrorCode] {
    return ErrorCode[this.code];
  }
}

export const badRequest = (message: string) => new AppError('bad_request', message);
export const notFound = (message: string) => new AppError('not_found', message);
export const conflict = (message: string) => new AppError('conflict', message);
export const forbidden = (message = 'Your role does not allow this') => new AppError('forbidden', message);
export const unauthorized = (message = 'Sign in first: a valid token or session is required') => new AppError('unauthorized', message);

export function errorBody(code: ErrorCode, message: string, requestId?: string): ErrorBody {
  return { error: requestId ? { code, message, requestId } : { code, message } };
}

/**
 * `app.onError`: known errors as themselves; the database out of reach as 503 with Retry-After (a load
 * balancer then sends the request elsewhere); anything else logged with its request id and answered 500.
 */
export function handleError(log: Logger) {
  return (err: Error, c: Context) => {
    const requestId = c.get('requestId') as string | undefined;
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message, requestId), err.status);
    if (err instanceof SyntaxError && /JSON/i.test(err.message)) {
      return c.json(errorBody('bad_request', 'The request body is not valid JSON', requestId), 400);
    }
    if (err instanceof DatasetConverting) {
      c.header('Retry-After', String(CONVERTING_RETRY_AFTER_SECONDS));
      return c.json(errorBody('unavailable', 'The dataset is being converted to rows by page: try again in a moment', requestId), 503);
    }
    if (err instanceof DatasetNotStored) {
      c.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      return c.json(errorBody('unavailable', 'The dataset\'s last changes are not stored yet (the database fails): try again once they are', requestId), 503);
    }
    if (databaseUnavailable(err)) {
      log.warn({ err: { message: err.message }, requestId, path: c.req.path }, 'the database does not answer');
      c.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      return c.json(errorBody('unavailable', 'The database does not answer: try again in a moment', requestId), 503);
    }
    log.error({ err, requestId, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'Something went wrong on our side', requestId), 500);
  };
}
