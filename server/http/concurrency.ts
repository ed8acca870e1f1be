/** At most `max` requests of a kind at once; up to `queue` more wait their turn, past that 429 with Retry-After. */
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors';

export interface ConcurrencyLimit {
  max: number;
  /** How many may wait for a turn; one more is answered 429. */
  queue: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds: number;
}

/**
 * A turn lasts until the response body has been sent (or the client went away), not just until the
 * handler returned: a streamed export does its work while its body is read.
 */
export function limitConcurrency({ max, queue, retryAfterSeconds }: ConcurrencyLimit): MiddlewareHandler {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const nextInLine = waiting.shift();
    if (nextInLine) nextInLine();
    else running--;
  };

  return async (c, next) => {
    if (running < max) running++;
    else if (waiting.length < queue) await new Promise<void>((resolve) => waiting.push(resolve));
    else {
      c.header('Retry-After', String(retryAfterSeconds));
      throw new AppError('rate_limited', `The server is busy with ${running} of these already; try again in ${retryAfterSeconds} s`);
    }

    let released = false;
    const releaseOnce = () => {
      if (!released) {
        released = true;
        release();
      }
    };
    try {
      await next();
    } catch (err) {
      releaseOnce();
      throw err;
    }
    const body = c.res.body;
    if (!body) {
      releaseOnce();
      return;
    }
    const reader = body.getReader();
    c.res = new Response(new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            releaseOnce();
            controller.close();
          } else controller.enqueue(value);
        } catch (err) {
          releaseOnce();
          controller.error(err);
        }
      },
      cancel(reason) {
        releaseOnce();
        return reader.cancel(reason);
      },
    }), c.res);
  };
}
