/** Who is on the other end of a request: TLS or not, and from which address (TRUST_PROXY: docs/deployment.md#behind-a-balancer). */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';

export interface ClientInfo {
  /** The request reached us, or the proxy in front of us, over TLS. */
  secure: boolean;
  /** The client's address: the socket's, or with a trusted proxy the one that proxy saw. */
  address: string;
  /** This server's origin as the browser sees it, e.g. `https://tessera.example.org`. */
  origin: string;
}

const CLIENT = 'client';

/** The last value of a comma-separated forwarding header: the one our own proxy appended. */
function lastForwarded(value: string | undefined): string | undefined {
  const last = value?.split(',').at(-1)?.trim();
  return last ? last : undefined;
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process `app.request()` has no socket.
    return 'unknown';
  }
}

/**
 * Resolves the client's address, the protocol and our own origin once per request. Only with
 * `trustProxy` are `X-Forwarded-Proto` and `X-Forwarded-For` believed: otherwise anyone could claim them.
 */
export function clientInfo(trustProxy: boolean): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    const forwardedProto = trustProxy ? lastForwarded(c.req.header('x-forwarded-proto'))?.toLowerCase() : undefined;
    const protocol = forwardedProto === 'https' || forwardedProto === 'http' ? `${forwardedProto}:` : url.protocol;
    const info: ClientInfo = {
      secure: protocol === 'https:',
      address: (trustProxy ? lastForwarded(c.req.header('x-forwarded-for')) : undefined) ?? socketAddress(c),
      origin: `${protocol}//${url.host}`,
    };
    c.set(CLIENT, info);
    await next();
  };
}

/** The request's client, as `clientInfo` resolved it (a plain reading of the request when it did not run). */
export function client(c: Context): ClientInfo {
  const info = c.get(CLIENT) as ClientInfo | undefined;
  if (info) return info;
  const url = new URL(c.req.url);
  return { secure: url.protocol === 'https:', address: socketAddress(c), origin: url.origin };
}
