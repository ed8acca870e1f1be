/** Which pages may open a sync socket: a cross-site page must not use a signed-in user's cookie. */

/** The origins listed in `ALLOWED_ORIGINS` (comma-separated) and `PUBLIC_URL`'s, besides the server's own. */
export function allowedOrigins(env: NodeJS.ProcessEnv = process.env): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const item of [...(env.ALLOWED_ORIGINS ?? '').split(','), env.PUBLIC_URL ?? '']) {
    const trimmed = item.trim();
    if (!trimmed) continue;
    try {
      origins.add(new URL(trimmed).origin);
    } catch {
      throw new Error(`Bad setting ALLOWED_ORIGINS: "${trimmed}" is not an origin such as https://example.org`);
    }
  }
  return origins;
}

/**
 * True when a socket's `Origin` header may open it: absent (scripts, the stock Node client), the
 * server's own origin (the request's `Host`, over http or https, since a TLS proxy may sit in front), or
 * one of `allowed`. Anything else, `null` included, is refused.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.has(url.origin)) return true;
  if (!host || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  try {
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}
