/**
 * Telling "the database cannot be reached" apart from a fault of the request or of the code: the first
 * is answered `503` with `Retry-After`, so a load balancer sends the request to another instance (or
 * the client tries again), and the instance's `/healthz` answers 503 meanwhile; a `500` would tell the
 * client its request is broken and tell the balancer nothing.
 */

/** Seconds a client should wait before trying again: about how long a PostgreSQL restart or failover takes. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket errors of a connection that cannot be made or broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
  'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED',
]);

/**
 * SQLSTATEs of a server that is there but does not serve: class 08 (connection exception), shutting
 * down or starting up (57P01–57P03), too many connections (53300).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;

/** node-postgres' own words when a connection breaks or cannot be had in time. */
const POOL_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * True when `error`, or what caused it (the ORM wraps the driver's error as its `cause`), says the
 * database cannot be reached now, rather than that the query or the data was wrong.
 */
export function databaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (POOL_MESSAGES.test(current.message)) return true;
    // Several addresses tried (IPv4 and IPv6), each refused.
    if (current instanceof AggregateError && current.errors.some(databaseUnavailable)) return true;
  }
  return false;
}
