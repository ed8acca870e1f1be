/**
 * At most `max` requests of a kind at once; up to `queue` more wait their turn, past that 429 with
 * Retry-After. With `perUser`, one user's requests also have a share of their own, so that one user
 * firing a hundred requests at once gets a few served and the rest refused, and others still get turns.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors';

export interface ConcurrencyLimit {
  max: number;
  /** How many may wait for a turn; one more is answered 429. */
  queue: number;
  /** Seconds a refused client is told to wait (Retry-After). */
  retryAfterSeconds: number;
  /**
   * One user's share: at most `max` of their requests run at once, and at most `max + queue` run or
   * wait, within the totals above. `key` names the user of a request (requests without one share one key).
   */
  perUser?: { max: number; queue: number; key: (c: Context) => string | undefined };
}

interface Share {
  running: number;
  waiting: number;
}

interface Waiter {
  share: Share;
  start: () => void;
}

/**
 * A turn lasts until the response body has been sent (or the client went away), not just until the
 * handler returned: a streamed export does its work while its body is read.
 */
export function limitConcurrency({ max, queue, retryAfterSeconds, perUser }: ConcurrencyLimit): MiddlewareHandler {
  let running = 0;
  const waiting: Waiter[] = [];
  const shares = new Map<string, Share>();
  const userMax = perUser?.max ?? Infinity;
  const userQueue = perUser?.queue ?? Infinity;

  const begin = (share: Share) => {
    running++;
    share.running++;
  };
  // First come, first served, except that a waiter whose user already runs their share lets later
  // waiters of other users go first.
  const startWaiting = () => {
    for (let i = 0; i < waiting.length && running < max;) {
      const waiter = waiting[i]!;
      if (waiter.share.running >= userMax) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      waiter.share.waiting--;
      begin(waiter.share);
      waiter.start();
    }
  };
  const end = (key: string, share: Share) => {
    running--;
    share.running--;
    if (share.running === 0 && share.waiting === 0) shares.delete(key);
    startWaiting();
  };

  return async (c, next) => {
    const key = perUser?.key(c) ?? '';
    let share = shares.get(key);
    if (!share) {
      share = { running: 0, waiting: 0 };
      shares.set(key, share);
    }
    if (running < max && share.running < userMax) begin(share);
    else if (waiting.length < queue && share.running + share.waiting < userMax + userQueue) {
      share.waiting++;
      const turn = share;
      await new Promise<void>((start) => waiting.push({ share: turn, start }));
    } else {
      const mine = share.running + share.waiting >= userMax + userQueue;
      if (share.running === 0 && share.waiting === 0) shares.delete(key);
      c.header('Retry-After', String(retryAfterSeconds));
      throw new AppError('rate_limited', mine
        ? `You have ${share.running} of these running and ${share.waiting} waiting already; try again in ${retryAfterSeconds} s`
        : `The server is busy with ${running} of these already; try again in ${retryAfterSeconds} s`);
    }

    let released = false;
    const releaseOnce = () => {
      if (!released) {
        released = true;
        end(key, share);
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
    // Each chunk is handed on once the next one has been read, so that the turn is given back before
    // the last one is: a client that has the whole answer and sends its next request finds it free.
    const reader = body.getReader();
    let held: Uint8Array | undefined;
    c.res = new Response(new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            releaseOnce();
            if (held) controller.enqueue(held);
            controller.close();
          } else {
            if (held) controller.enqueue(held);
            held = value;
          }
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
