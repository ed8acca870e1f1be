import pino from 'pino';

export type Logger = pino.Logger;

/**
 * One logger with levels: JSON lines (pino) on stdout, nothing else there. `LOG_LEVEL` picks the level;
 * tests run at `warn`. Errors are written without the values of the SQL they came from (see `serializeError`),
 * and fields named like credentials never carry their value.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino({
    level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError, error: serializeError },
    redact: { paths: CREDENTIAL_FIELDS, censor: '[redacted]' },
  }, destination);
}

const CREDENTIAL_FIELDS = ['token', 'tokenHash', 'password', 'authorization', 'cookie', 'secret']
  .flatMap((name) => [name, `*.${name}`]);

/** Fields of database errors that hold the values a query was run with. */
const VALUE_FIELDS = new Set(['params', 'parameters']);
/** Shorter values are left in the text: a role or a count is no secret, and redacting "1" everywhere would garble it. */
const SHORTEST_REDACTED = 8;

/**
 * An error as it is logged: pino's standard form (type, message and stack with their causes, own fields),
 * without the values its query ran with. A failed query carries them (`params`, and its message repeats
 * them), and they are what must not reach a log: a token's hash, a session's, a password's. Whatever of
 * them the database's own message quotes back (a duplicate key, a bad value) is replaced too.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const { paramLines, values } = queryValues(err);
  const scrub = (text: string) => {
    for (const line of paramLines) text = text.split(line).join('');
    for (const value of values) text = text.split(value).join('[redacted]');
    return text;
  };
  return withoutValues({ ...pino.stdSerializers.err(err) }, scrub);
}

/** The values of the queries in an error's cause chain, and the `\nparams: …` lines their messages end with. */
function queryValues(err: Error): { paramLines: string[]; values: string[] } {
  const paramLines: string[] = [];
  const values = new Set<string>();
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth += 1) {
    for (const field of VALUE_FIELDS) {
      const params = (e as unknown as Record<string, unknown>)[field];
      if (!Array.isArray(params)) continue;
      paramLines.push(`\nparams: ${String(params)}`);
      for (const value of params) {
        const text = typeof value === 'string' ? value : value instanceof Uint8Array || value === null || typeof value === 'object' ? '' : String(value);
        if (text.length >= SHORTEST_REDACTED) values.add(text);
      }
    }
  }
  // Longest first, so that a value containing another is replaced whole.
  return { paramLines, values: [...values].sort((a, b) => b.length - a.length) };
}

function withoutValues(serialized: Record<string, unknown>, scrub: (text: string) => string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (VALUE_FIELDS.has(key)) continue;
    if (typeof value === 'string') out[key] = scrub(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (isRecord(v) ? withoutValues(v, scrub) : typeof v === 'string' ? scrub(v) : v));
    else if (isRecord(value)) out[key] = withoutValues(value, scrub);
    else out[key] = value;
  }
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date);

/** How often a failure that keeps happening is logged again, with how many times it happened meanwhile. */
export const REPEATED_FAILURE_LOG_EVERY_MS = 60_000;

/**
 * A failure that repeats while its cause lasts (a database that is down, retried every few seconds) is
 * logged when it starts, then at most once per `everyMs` with a count, and once when it works again:
 * enough to see how long it lasted, without a line per retry.
 *
 * `what` names the work: "reading what other instances stored" logs "… failed", "… still failing",
 * "… works again".
 */
export class RepeatedFailure {
  private failing: { since: number; loggedAt: number; count: number; sinceLogged: number } | null = null;

  constructor(
    private readonly log: Pick<Logger, 'error' | 'warn'>,
    private readonly what: string,
    private readonly fields: Record<string, unknown> = {},
    private readonly everyMs = REPEATED_FAILURE_LOG_EVERY_MS,
  ) {}

  failed(err: unknown): void {
    const now = Date.now();
    const failing = this.failing;
    if (!failing) {
      this.failing = { since: now, loggedAt: now, count: 1, sinceLogged: 0 };
      this.log.error({ ...this.fields, err }, `${this.what} failed; trying again`);
      return;
    }
    failing.count += 1;
    failing.sinceLogged += 1;
    if (now - failing.loggedAt < this.everyMs) return;
    this.log.error(
      { ...this.fields, err, failures: failing.sinceLogged, failuresInAll: failing.count, failingForMs: now - failing.since },
      `${this.what} still failing; trying again`,
    );
    failing.loggedAt = now;
    failing.sinceLogged = 0;
  }

  succeeded(): void {
    const failing = this.failing;
    if (!failing) return;
    this.failing = null;
    this.log.warn({ ...this.fields, failures: failing.count, failedForMs: Date.now() - failing.since }, `${this.what} works again`);
  }
}
