/**
 * The web client: built files from dist/client, index.html for every page route (docs/using.md). Built files
 * go out as the brotli or gzip copy the build made beside them (vite.config.ts) when the browser accepts it; a
 * sheet's page carries its first screen and hints to fetch the sheet's code at once (server/first-screen.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { type BrotliCompress, brotliCompress, constants, createBrotliCompress, createGzip, type Gzip, gzip } from 'node:zlib';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { type FirstScreen, firstScreen, scriptJson, sheetAddress } from './first-screen';
import type { UserDirectory } from './storage';
import { authenticate, SESSION_COOKIE } from './auth/middleware';
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
/** A page with the signed-in user's data in it: for this browser only, and checked again each time. */
const PRIVATE_PAGE_CACHE = 'private, no-cache';

/** Whether an Accept-Encoding header accepts `coding` (a `q=0` refuses it). */
export function accepts(header: string | undefined, coding: 'br' | 'gzip'): boolean {
  return (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().split(';').map((p) => p.trim());
    if (name !== coding) return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/** The compression a page goes out with, by the request's Accept-Encoding: brotli at a quick level, or gzip. */
function pageEncoding(c: Context): 'br' | 'gzip' | null {
  const header = c.req.header('accept-encoding');
  return accepts(header, 'br') ? 'br' : accepts(header, 'gzip') ? 'gzip' : null;
}

const BROTLI_PAGE = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } };

function pageHeaders(c: Context, cache: string, encoding: 'br' | 'gzip' | null): void {
  c.header('content-type', 'text/html; charset=UTF-8');
  c.header('cache-control', cache);
  c.header('vary', 'Accept-Encoding, Cookie');
  if (encoding) c.header('content-encoding', encoding);
}

/** A page's HTML in one piece, compressed as the request accepts. */
async function sendPage(c: Context, html: string, cache: string): Promise<Response> {
  const encoding = pageEncoding(c);
  const bytes = Buffer.from(html);
  const body = encoding === 'br' ? await brotli(bytes, BROTLI_PAGE) : encoding === 'gzip' ? await gzipped(bytes) : bytes;
  pageHeaders(c, cache, encoding);
  return c.body(new Uint8Array(body));
}

/**
 * A page in two parts: `head` goes out at once (the browser starts on the scripts it names), the rest when it
 * is ready; each part compressed and flushed as it goes.
 */
function streamPage(c: Context, head: string, rest: Promise<string>, cache: string): Response {
  const encoding = pageEncoding(c);
  pageHeaders(c, cache, encoding);
  const out = encoding === 'br' ? createBrotliCompress(BROTLI_PAGE) : encoding === 'gzip' ? createGzip() : new PassThrough();
  const flush = () => new Promise<void>((resolve) => {
    if (out instanceof PassThrough) resolve();
    else if (encoding === 'br') (out as BrotliCompress).flush(constants.BROTLI_OPERATION_FLUSH, resolve);
    else (out as Gzip).flush(constants.Z_SYNC_FLUSH, resolve);
  });
  void (async () => {
    out.write(head);
    await flush();
    out.end(await rest);
  })().catch((error: unknown) => out.destroy(error as Error));
  return c.body(Readable.toWeb(out) as ReadableStream<Uint8Array>);
}

/** What the build says each source module's chunk needs (`.vite/manifest.json`, vite.config.ts). */
type Manifest = Record<string, { file: string; imports?: string[]; isEntry?: boolean }>;

/** The built files a page's code needs, for `<link rel="modulepreload">`: `src`'s chunk and what it imports. */
function chunksOf(manifest: Manifest, src: string): string[] {
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || chunk.isEntry || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const next of chunk.imports ?? []) visit(next);
  };
  visit(src);
  return [...files];
}

const APP = '<div id="app"></div>';
const preloadLinks = (files: readonly string[]) => files.map((file) => `<link rel="modulepreload" crossorigin href="/${file}">\n`).join('');

/**
 * The built index.html and what a sheet's page adds to it: hints to fetch the sheet's code at once (the chunks
 * both grids share in the head, sent before anything is known of the dataset; the rest once its layout is),
 * the data for the client and the first rows' table.
 */
class ClientPage {
  readonly plain: string;
  private readonly head: string;
  private readonly tail: string;
  private readonly layoutPreloads: Record<'rows' | 'document', string>;

  constructor(clientDir: string, index: string) {
    this.plain = index;
    const manifestFile = join(clientDir, '.vite', 'manifest.json');
    const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest : {};
    // A sheet of a `rows` dataset opens in the paged grid (client/paged/page.ts), any other in the full one.
    const rows = chunksOf(manifest, 'paged/page.ts');
    const document = chunksOf(manifest, 'pages/dataset.ts');
    const shared = rows.filter((file) => document.includes(file));
    this.layoutPreloads = {
      rows: preloadLinks(rows.filter((file) => !shared.includes(file))),
      document: preloadLinks(document.filter((file) => !shared.includes(file))),
    };
    const at = index.indexOf(APP);
    const withHints = at < 0 ? index : index.replace('</head>', `${preloadLinks(shared)}</head>`);
    const split = withHints.indexOf(APP) + APP.length;
    [this.head, this.tail] = at < 0 ? [index, ''] : [withHints.slice(0, split), withHints.slice(split)];
  }

  /** A sheet's page: its head at once, the rest once `screen` is known. */
  sheet(c: Context, screen: Promise<FirstScreen | null>): Response {
    const rest = screen.catch(() => null).then((s) => {
      if (!s) return this.tail;
      const layout = s.boot.dataset ? (s.boot.dataset.layout === 'rows' ? 'rows' : 'document') : null;
      return `\n${layout ? this.layoutPreloads[layout] : ''}${s.preview}\n`
        + `<script type="application/json" id="tessera-boot">${scriptJson(s.boot)}</script>${this.tail}`;
    });
    return streamPage(c, this.head, rest, PRIVATE_PAGE_CACHE);
  }
}

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
  // Any built file as itself (assets, icons, a service worker), or its compressed copy; every other page path
  // gets index.html. The build's own notes (`/.vite/`) are not served.
  const files = serveStatic({ root: clientDir, precompressed: true });
  app.use('*', async (c, next) => {
    const path = c.req.path;
    if (path === '/' || path === '/index.html' || path.startsWith('/api/') || path.startsWith('/ws/') || path.startsWith('/.') || !existsSync(clientDir)) {
      return next();
    }
    const found = await files(c, next);
    if (found instanceof Response) {
      found.headers.set('cache-control', path.startsWith('/assets/') ? ASSET_CACHE : PAGE_CACHE);
      // Whichever copy went out, a cache must keep them apart by what the browser accepts.
      if (!found.headers.get('vary')) found.headers.set('vary', 'Accept-Encoding');
    }
    return found;
  });
  const indexFile = join(clientDir, 'index.html');
  let page: ClientPage | null = null;
  app.get('*', async (c) => {
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/ws/')) return c.notFound();
    if (page === null && existsSync(indexFile)) page = new ClientPage(clientDir, readFileSync(indexFile, 'utf8'));
    if (page === null) return c.text('The web client is not built yet: run `npm run build`.', 503);
    // A sheet's page for someone signed in carries its first screen; any other page is the built one.
    const sheet = sheetAddress(c.req.path);
    if (!sheet || !getCookie(c, SESSION_COOKIE)) return sendPage(c, page.plain, PAGE_CACHE);
    return page.sheet(c, firstScreen(app, c, sheet.datasetId, sheet.sheetId));
  });
}
