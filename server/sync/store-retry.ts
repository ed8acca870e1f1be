/**
 * What a room does while its store fails: its changes stay in memory (the caller keeps them), the store is
 * tried again after a delay that doubles up to a maximum, health is told once when it starts failing and
 * once when it works again, and the log gets one line at the start and then one per interval with a count,
 * not one per try.
 */
import type { Logger } from '../logger';

/** A failing store is retried after this long, doubling up to the maximum. */
export const STORE_RETRY_FIRST_MS = 250;
export const STORE_RETRY_MAX_MS = 5000;
/** While the store keeps failing, one log line per this many milliseconds, with a count. */
export const STORE_FAILURE_LOG_EVERY_MS = 30_000;

export interface StoreRetryOptions {
  log: Logger;
  /** The room, for the log. */
  room: string;
  /** Tries the store again (a flush of everything kept). */
  retry: () => void;
  /** Told when storing starts failing (false) and works again (true). */
  onHealth?: (ok: boolean) => void;
}

export class StoreRetry {
  /** Set while storing fails: how often, since when, when it was last logged and the next retry delay. */
  private failure: { count: number; since: number; loggedAt: number; retryMs: number } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: StoreRetryOptions) {}

  /** True while the room's changes cannot be stored. */
  get failing(): boolean {
    return this.failure !== null;
  }

  /** True while a retry is scheduled: a write before it would only fail again. */
  get waiting(): boolean {
    return this.timer !== null;
  }

  /** A write failed: schedules the next try. True when this is the first failure (the peers are to be told). */
  failed(error: unknown): boolean {
    const { log, room } = this.options;
    const now = Date.now();
    let failure = this.failure;
    const first = failure === null;
    if (!failure) {
      failure = this.failure = { count: 0, since: now, loggedAt: now, retryMs: STORE_RETRY_FIRST_MS };
      log.error({ dataset: room, err: error }, 'storing updates failed; keeping them in memory and retrying');
      this.options.onHealth?.(false);
    } else if (now - failure.loggedAt >= STORE_FAILURE_LOG_EVERY_MS) {
      failure.loggedAt = now;
      log.error({ dataset: room, err: error, failures: failure.count + 1, failingForMs: now - failure.since }, 'storing updates still failing; retrying');
    }
    failure.count += 1;
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.options.retry();
    }, failure.retryMs);
    failure.retryMs = Math.min(failure.retryMs * 2, STORE_RETRY_MAX_MS);
    return first;
  }

  /** A write succeeded. True when storing had been failing (the peers told of it learn that it is over). */
  succeeded(): boolean {
    const failure = this.failure;
    if (!failure) return false;
    this.failure = null;
    this.options.log.warn({ dataset: this.options.room, failures: failure.count, failedForMs: Date.now() - failure.since }, 'storing updates works again');
    this.options.onHealth?.(true);
    return true;
  }

  /** Drops the scheduled retry (the room closes, and makes its last attempt itself, or is discarded). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
