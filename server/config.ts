import { join, resolve } from 'node:path';
import { z } from 'zod';
import { KEPT_ROWS } from './duplicates/keys-cache';

/** Every setting, by its variable's name; the README's configuration table lists each. */
export const Env = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  DATA_DIR: z.string().default('./data'),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN needs at least 16 characters').optional(),
  MAX_MESSAGE_BYTES: z.coerce.number().int().positive().default(16 * 1024 * 1024),
  DOC_IDLE_MS: z.coerce.number().int().min(0).default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  ALLOWED_ORIGINS: z.string().default('').transform(parseOrigins),
  /**
   * The address people reach Tessera by when it differs from HOST:PORT (behind a proxy): printed in the
   * sign-in line and by `npm run signin-link`, and allowed as an origin like those in ALLOWED_ORIGINS.
   */
  PUBLIC_URL: z.string().default('').transform(parsePublicUrl),
  TRUST_PROXY: z.enum(['0', '1', 'true', 'false', '']).default('0').transform((v) => v === '1' || v === 'true'),
  MAX_CONCURRENT_EXPORTS: z.coerce.number().int().positive().default(4),
  /** Heavy reads (codebook, progress, history, problems, …) that run at once, everyone's together. */
  MAX_CONCURRENT_READS: z.coerce.number().int().positive().default(4),
  /** Sheets of up to this many rows keep their rows' duplicate keys in memory between requests; larger ones are swept in date order. */
  DUPLICATES_KEPT_ROWS: z.coerce.number().int().min(0).default(KEPT_ROWS),
  /** Imports that run at once, everyone's together (one user's: one at a time). */
  MAX_CONCURRENT_IMPORTS: z.coerce.number().int().positive().default(2),
  /** Exports, and heavy reads, that one user runs at once (each kind apart); imports: one. */
  MAX_CONCURRENT_PER_USER: z.coerce.number().int().positive().default(2),
  /** How often every open socket is checked against the database, in ms: what a lost announcement or an expired session waits for at most. */
  ACCESS_RECHECK_MS: z.coerce.number().int().min(100).default(5000),
  /** `postgres://…`: store everything in that PostgreSQL database instead of the SQLite file in DATA_DIR. */
  DATABASE_URL: z.string().optional().transform((v) => v || undefined)
    .refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), 'DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite file)'),
  /** `redis://…`: several instances on one DATABASE_URL serve the same datasets, talking through this Redis. */
  REDIS_URL: z.string().optional().transform((v) => v || undefined)
    .refine((v) => v === undefined || /^rediss?:\/\//.test(v), 'REDIS_URL must be a redis:// or rediss:// URL'),
  /** Prefix of the Redis channels, so several deployments (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().default('tessera:'),
  /** `GET /metrics` answers the holder of this token (Authorization: Bearer …); no metrics without it. */
  METRICS_TOKEN: z.string().optional().transform((v) => v || undefined)
    .refine((v) => v === undefined || v.length >= 16, 'METRICS_TOKEN needs at least 16 characters'),
  /** This instance's name in logs and the `x-tessera-instance` header; random when unset. */
  INSTANCE_ID: z.string().regex(/^[\w.-]{1,64}$/, 'INSTANCE_ID: letters, digits, dot, dash, underscore; at most 64').optional(),
}).refine((env) => env.REDIS_URL === undefined || env.DATABASE_URL !== undefined, {
  path: ['REDIS_URL'], message: 'several instances need a shared database: set DATABASE_URL to a postgres:// URL as well',
});

/** `ALLOWED_ORIGINS`: comma-separated origins such as `https://tessera.example.org`, each normalised by URL. */
function parseOrigins(list: string, ctx: z.RefinementCtx): string[] {
  const origins: string[] = [];
  for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      const url = new URL(item);
      if (url.origin === 'null' || url.href.replace(/\/$/, '') !== url.origin) throw new Error('not an origin');
      origins.push(url.origin);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${item}" is not an origin like https://host:port` });
    }
  }
  return origins;
}

/**
 * `PUBLIC_URL`: an origin such as `https://tessera.example.org`, without a path: the web client asks for
 * `/api/…` and `/ws/…` at the root of its address, so Tessera cannot be served under a path.
 */
export function parsePublicUrl(value: string, ctx: z.RefinementCtx): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  try {
    const url = new URL(trimmed);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    if (url.href.replace(/\/$/, '') !== url.origin) throw new Error('not an origin');
    return url.origin;
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${trimmed}" is not an address like https://tessera.example.org (no path: Tessera is served at the root)` });
    return undefined;
  }
}

export type Config = ReturnType<typeof readConfig>;

/** The server's settings from the environment (README.md#configuration); bad values stop the start with a clear message. */
export function readConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Bad setting ${issue.path.join('.')}: ${issue.message}`);
  }
  const dataDir = resolve(parsed.data.DATA_DIR);
  const { PUBLIC_URL, ALLOWED_ORIGINS } = parsed.data;
  // The public address is the server's own, whatever Host the proxy in front sends.
  const allowed = PUBLIC_URL && !ALLOWED_ORIGINS.includes(PUBLIC_URL) ? [...ALLOWED_ORIGINS, PUBLIC_URL] : ALLOWED_ORIGINS;
  return { ...parsed.data, ALLOWED_ORIGINS: allowed, dataDir, dbFile: join(dataDir, 'tessera.db') };
}
