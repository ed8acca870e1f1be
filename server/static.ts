/** The web client: built files from dist/client, index.html for every page route (CONTRACT §9). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Hono } from 'hono';
import type { Db } from '../db/client';
import { userByToken } from './auth/users';
import { startSession } from './routes/session';

export function mountClient(app: Hono<any>, db: Db, clientDir: string): void {
  // `?token=` on any page signs that user in, then the token leaves the address bar.
  app.use('*', async (c, next) => {
    const token = c.req.query('token');
    if (c.req.method !== 'GET' || token === undefined || c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/')) {
      return next();
    }
    const user = userByToken(db, token);
    if (!user) return c.redirect('/signin?error=bad_token', 302);
    startSession(db, c, user.id);
    const url = new URL(c.req.url);
    url.searchParams.delete('token');
    return c.redirect(`${url.pathname}${url.search}`, 302);
  });
  // Any built file as itself (assets, icons, a service worker); every other page path gets index.html.
  const files = serveStatic({ root: clientDir });
  app.use('*', async (c, next) => {
    if (c.req.path === '/' || c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/') || !existsSync(clientDir)) return next();
    return files(c, next);
  });
  const indexFile = join(clientDir, 'index.html');
  let index: string | null = null;
  app.get('*', (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/')) return c.notFound();
    index ??= existsSync(indexFile) ? readFileSync(indexFile, 'utf8') : null;
    if (index === null) return c.text('The web client is not built yet: run `npm run build`.', 503);
    return c.html(index);
  });
}
