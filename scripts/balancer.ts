/**
 * The reverse proxy of `npm run cluster`: one port in front of several Tessera instances, HTTP and
 * WebSocket upgrades alike (http-proxy-3). Each new request or socket goes to the live instance with the
 * fewest open ones (least connections; ties in turn), so long-lived sync sockets end up spread evenly. An
 * instance is live while its `/healthz` answers 200 (asked every second) and until a connection to it is
 * refused; a refused request without a body is sent on to the next live instance, a refused socket is
 * closed (the client reconnects, to a live one). No sticky sessions: every instance serves every dataset.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createProxyServer } from 'http-proxy-3';

const HEALTH_EVERY_MS = 1000;

export interface Upstream {
  /** `http://127.0.0.1:8788` */
  url: string;
  live: boolean;
  /** Requests in flight and open sockets. */
  open: number;
}

export interface Balancer {
  server: Server;
  upstreams: readonly Upstream[];
  /** Stops listening, the health checks and every connection still open. */
  close(): Promise<void>;
}

/** Listens on `host:port` and spreads connections over `urls`. Answers 503 while no instance is live. */
export async function startBalancer(urls: readonly string[], host: string, port: number): Promise<Balancer> {
  const upstreams: Upstream[] = urls.map((url) => ({ url, live: true, open: 0 }));
  // X-Forwarded-For and -Proto for the instances (which run with TRUST_PROXY=1); Host is kept as the
  // client sent it, so the instances see the origin the browser uses. Each request opens its own
  // connection to an instance (about 1 ms): a stopped instance refuses it, which is safe to retry, where
  // a kept-open connection would be reset with the request maybe half handled.
  const proxy = createProxyServer({ xfwd: true });
  let turn = 0;

  /** The live upstream with the fewest open connections, not among `tried`. */
  function pick(tried: ReadonlySet<Upstream> = new Set()): Upstream | undefined {
    let best: Upstream | undefined;
    for (let i = 0; i < upstreams.length; i++) {
      const upstream = upstreams[(turn + i) % upstreams.length]!;
      if (!upstream.live || tried.has(upstream)) continue;
      if (!best || upstream.open < best.open) best = upstream;
    }
    turn = (turn + 1) % upstreams.length;
    return best;
  }

  /** Counts one connection to `upstream` until the returned function is called (more calls change nothing). */
  function hold(upstream: Upstream): () => void {
    upstream.open++;
    let held = true;
    return () => {
      if (held) upstream.open--;
      held = false;
    };
  }

  function web(req: IncomingMessage, res: ServerResponse, tried: Set<Upstream>): void {
    const upstream = pick(tried);
    if (!upstream) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ ok: false, error: 'no Tessera instance is running' }));
      return;
    }
    tried.add(upstream);
    const done = hold(upstream);
    res.once('close', done);
    res.setHeader('x-tessera-upstream', new URL(upstream.url).host);
    // A request already sent on (after a refusal) has been read: its empty body is given again.
    const options = tried.size > 1 ? { target: upstream.url, buffer: Readable.from([]) } : { target: upstream.url };
    proxy.web(req, res, options, (error: NodeJS.ErrnoException) => {
      done();
      if (error.code === 'ECONNREFUSED') upstream.live = false;
      // Refused means nothing reached the instance: a request without a body can go to another one.
      const bodiless = (req.headers['content-length'] ?? '0') === '0' && req.headers['transfer-encoding'] === undefined;
      if (error.code === 'ECONNREFUSED' && bodiless && !res.headersSent) return web(req, res, tried);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: `instance ${upstream.url}: ${error.message}` }));
    });
  }

  // Errors the callbacks above do not take (a socket lost mid-stream): that connection is closed already.
  proxy.on('error', () => {});

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => web(req, res, new Set()));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    const upstream = pick();
    if (!upstream) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    socket.once('close', hold(upstream));
    proxy.ws(req, socket, head, { target: upstream.url }, (error: NodeJS.ErrnoException) => {
      // The proxy closes the client's socket; the client's reconnect gets a live instance.
      if (error.code === 'ECONNREFUSED') upstream.live = false;
    });
  });

  async function check(upstream: Upstream): Promise<void> {
    try {
      const response = await fetch(`${upstream.url}/healthz`, { signal: AbortSignal.timeout(HEALTH_EVERY_MS) });
      await response.body?.cancel();
      upstream.live = response.status === 200;
    } catch {
      upstream.live = false;
    }
  }
  const checks = setInterval(() => { for (const upstream of upstreams) void check(upstream); }, HEALTH_EVERY_MS);
  await Promise.all(upstreams.map(check));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

  return {
    server,
    upstreams,
    async close() {
      clearInterval(checks);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
