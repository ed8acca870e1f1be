/**
 * Rate-limit counters that all instances share, in Redis (hono-rate-limiter's RedisStore, whose counting
 * runs in Lua scripts, so concurrent sign-ins through several instances are all counted): ten failed
 * sign-ins are ten wherever they were tried. While Redis does not answer, each instance counts on its own
 * rather than refuse sign-ins (said once in the log, and once when Redis answers again).
 */
import type { Redis } from 'ioredis';
import { type HonoConfigType, MemoryStore, RedisStore, type Store } from 'hono-rate-limiter';
import type { Logger } from '../logger';

/** Makes the counters of one limit; the name keeps limits apart. */
export type CounterStores = (name: string) => Store;

type Info = Awaited<ReturnType<Store['increment']>>;

class SharedCounters implements Store {
  private readonly shared: RedisStore;
  private readonly local = new MemoryStore();
  private failing = false;

  constructor(redis: Redis, prefix: string, private readonly log: Pick<Logger, 'warn' | 'info'>) {
    this.shared = new RedisStore({
      prefix,
      client: {
        scriptLoad: (script) => redis.script('LOAD', script) as Promise<string>,
        evalsha: <A extends unknown[], D>(sha: string, keys: string[], args: A) =>
          redis.evalsha(sha, keys.length, ...keys, ...(args as Array<string | number>)) as Promise<D>,
        decr: (key) => redis.decr(key),
        del: (key) => redis.del(key),
      },
    });
  }

  init(options: HonoConfigType): void {
    this.shared.init(options);
    this.local.init(options);
  }

  increment(key: string): Promise<Info> {
    return this.either(() => this.shared.increment(key), () => this.local.increment(key));
  }

  decrement(key: string): Promise<void> {
    return this.either(() => this.shared.decrement(key), () => this.local.decrement(key));
  }

  resetKey(key: string): Promise<void> {
    return this.either(() => this.shared.resetKey(key), () => this.local.resetKey(key));
  }

  private async either<T>(shared: () => Promise<T>, local: () => T): Promise<T> {
    try {
      const result = await shared();
      if (this.failing) {
        this.failing = false;
        this.log.info('rate limits are counted in Redis again, shared by every instance');
      }
      return result;
    } catch (error) {
      if (!this.failing) {
        this.failing = true;
        this.log.warn({ err: error }, 'Redis does not answer: this instance counts rate limits on its own meanwhile');
      }
      return local();
    }
  }
}

/** Counters in Redis under `prefix` (REDIS_PREFIX), one set per limit. */
export function redisCounters(redis: Redis, prefix: string, log: Pick<Logger, 'warn' | 'info'>): CounterStores {
  return (name) => new SharedCounters(redis, `${prefix}limit:${name}:`, log);
}
