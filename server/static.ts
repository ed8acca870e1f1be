/** The web client: built files from dist/client, index.html for every page route (docs/using.md). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { UserDirectory } from './storage';
import { authenticate } from './auth/middleware';
import { userByLink, userByToken } from './auth/users';
import { startSession } from './routes/session';

/** The request's path and query as a path on this site: `//host` or `/\host` must not become another site. */
function sitePath(url: URL): string {
  return `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`;
}

/**
 * A built asset's name carries a hash of its content (vite.config.ts), so a new build makes new names and a
 * browser may keep an asset for good. A page (index.html) is checked again each time, so that it names the
 * assets of the build being served (docs/bundle.md).
 */
const ASSET_CACHE = 'public, max-age=31536000, immutable';
const PAGE_CACHE = 'no-cache';

export function mountClient(app: Hono<any>, users: UserDirectory, clientDir: string): void {
  // `?token=` on any page signs that user in, then the token leaves the address bar. A browser already
  // signed in as someone else is asked first (on the sign-in page, which gets the token in the fragment,
  // never sent to a server): otherwise any page could link a signed-in user into another account.
  app.use('*', async (c, next) => {
    const token = c.req.query('token');
    if (c.req.method !== 'GET' || token === undefined || c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/')) {
      return next();
    }
    const current = await authenticate(users, c);
    // An API token, or a one-time sign-in link's secret (used up here, unless someone else must confirm first).
    const user = (await userByToken(users, token)) ?? (current ? undefined : await userByLink(users, token));
    if (!user && !current) return c.redirect('/signin?error=bad_token', 302);
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    if (current && current.id !== user?.id) {
      return c.redirect(`/signin?${new URLSearchParams({ next: sitePath(url) })}#token=${encodeURIComponent(token)}`, 302);
    }
    if (!current) await startSession(users, c, user!.id);
    return c.redirect(sitePath(url), 302);
  });
  // Any built file as itself (assets, icons, a service worker); every other page path gets index.html.
  const files = serveStatic({ root: clientDir });
  app.use('*', async (c, next) => {
    if (c.req.path === '/' || c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/') || !existsSync(clientDir)) return next();
    const found = await files(c, next);
    if (found instanceof Response) found.headers.set('cache-control', c.req.path.startsWith('/assets/') ? ASSET_CACHE : PAGE_CACHE);
    return found;
  });
  const indexFile = join(clientDir, 'index.html');
  let index: string | null = null;
  app.get('*', (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/')) return c.notFound();
    index ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null;
    if (index === null) return c.text('The web client is not built yet: run `npm run build`.', 503);
    c.header('cache-control', PAGE_CACHE);
    return c.html(index);
  });
}
