/**
 * The nginx and HAProxy configurations of docs/deployment.md#behind-a-balancer, run as written in front of
 * two instances: the blocks are read from that page, and only their addresses, port and certificate are
 * replaced by the test's (TLS with a certificate made for the test, on free ports). Through each proxy:
 * signing in gives a `Secure` cookie, a cookie-authenticated write from the proxy's own origin (port
 * included) is not refused, a sync socket opened the way a browser opens it syncs, and an edit crosses
 * instances both ways.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { insertRow } from '../../model/document';
import { createDataset } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { freePort, startCluster, type Cluster } from '../helpers/cluster';
import { rowsOf, sheetOf } from '../helpers/docs';
import { waitFor } from '../helpers/wait';

const DEPLOYMENT = 'docs/deployment.md';
const PAGE = readFileSync(join(import.meta.dirname, '..', '..', DEPLOYMENT), 'utf8');

/** The page's one fenced block that contains `marker`, without its fences. */
function pageBlock(marker: string): string {
  const blocks = [...PAGE.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((block) => block.includes(marker));
  if (found.length !== 1) throw new Error(`${DEPLOYMENT}: expected one block with "${marker}", found ${found.length}`);
  return found[0]!;
}

/** `text` with `pattern` replaced; fails when the page no longer has what the test replaces. */
function replace(text: string, pattern: RegExp, by: string | ((match: string, ...groups: string[]) => string)): string {
  if (!pattern.test(text)) throw new Error(`${DEPLOYMENT} block: ${pattern} not found`);
  return text.replace(pattern, by as string);
}

/** The example instances' `server …` lines, replaced by one line per test instance with the same parameters. */
function ourInstances(block: string, ports: number[], line: (port: number, i: number, rest: string) => string): string {
  const lines = /^( *)(server .*10\.0\.0\.\d+:8787.*)$/gm;
  const found = [...block.matchAll(lines)];
  if (found.length === 0) throw new Error(`${DEPLOYMENT} block: no example instance lines (10.0.0.x:8787)`);
  const [first] = found;
  const indent = first![1]!;
  const mine = ports.map((port, i) => indent + line(port, i, first![2]!)).join('\n');
  let done = false;
  return block.replace(lines, () => {
    if (done) return '\u0000';
    done = true;
    return mine;
  }).replace(/\n\u0000/g, '');
}

/** A program from PATH or the sbin directories (which a non-root PATH may leave out). */
function program(name: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not installed (apt-get install ${name}; .ci/run installs it)`);
}

interface Tls {
  cert: string;
  key: string;
  /** The certificate, then its key, in one file (HAProxy's form). */
  pem: string;
  ca: Buffer;
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with openssl. */
function makeCertificate(dir: string): Tls {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert,
  ], { stdio: 'pipe' });
  const pem = join(dir, 'cert-and-key.pem');
  writeFileSync(pem, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { cert, key, pem, ca: readFileSync(cert) };
}

interface Reply { status: number; headers: import('node:http').IncomingHttpHeaders; text: string }

/** An HTTPS request that trusts the test's certificate (fetch cannot be told to). */
function request(url: string, ca: Buffer, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

interface Proxy {
  name: string;
  origin: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs `command` in the foreground and waits until `/healthz` answers 200 through it. */
async function runProxy(name: string, command: string, args: string[], origin: string, ca: Buffer): Promise<Proxy> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proxy: Proxy = {
    name, origin, process: child, output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${out}`);
      return (await request(`${origin}/healthz`, ca)).status === 200;
    }, { what: `${name} passes /healthz on`, timeoutMs: 20_000 });
  } catch (error) {
    await proxy.stop();
    throw error;
  }
  return proxy;
}

/** nginx with the page's block inside a minimal main configuration of the test's own. */
async function startNginx(dir: string, port: number, instancePorts: number[], tls: Tls): Promise<Proxy> {
  let block = pageBlock('upstream tessera');
  block = replace(block, /listen 443 ssl;/, `listen 127.0.0.1:${port} ssl;`);
  block = replace(block, /ssl_certificate\s+\S+;/, `ssl_certificate ${tls.cert};`);
  block = replace(block, /ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${tls.key};`);
  block = ourInstances(block, instancePorts, (p, _i, rest) => rest.replace(/10\.0\.0\.\d+:8787/, `127.0.0.1:${p}`));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, [
    'daemon off;', 'master_process on;', 'worker_processes 1;', `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'nginx-error.log')} warn;`, 'events { worker_connections 256; }',
    'http {', '    access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}_temp`)};`),
    block, '}', '',
  ].join('\n'));
  return runProxy('nginx', program('nginx'), ['-p', dir, '-e', join(dir, 'nginx-error.log'), '-c', conf], `https://127.0.0.1:${port}`, tls.ca);
}

/** HAProxy with the page's configuration. */
async function startHaproxy(dir: string, port: number, instancePorts: number[], tls: Tls): Promise<Proxy> {
  let block = pageBlock('backend tessera');
  block = replace(block, /bind :443 ssl crt \S+/, `bind 127.0.0.1:${port} ssl crt ${tls.pem}`);
  block = ourInstances(block, instancePorts, (p, i, rest) => rest.replace(/^server \S+ 10\.0\.0\.\d+:8787/, `server t${i + 1} 127.0.0.1:${p}`));
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(conf, block);
  return runProxy('haproxy', program('haproxy'), ['-db', '-f', conf], `https://127.0.0.1:${port}`, tls.ca);
}

/** The stock provider over `wss://`, with what a browser sends: the session cookie and the page's Origin. */
function browserLikeClient(proxy: Proxy, ca: Buffer, cookie: string, datasetId: string): Client {
  class BrowserSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca, headers: { cookie, origin: proxy.origin } });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${proxy.origin.replace(/^https/, 'wss')}/ws`, datasetId, doc, {
    WebSocketPolyfill: BrowserSocket as unknown as typeof globalThis.WebSocket, disableBc: true, maxBackoffTime: 500,
  });
  const closes: number[] = [];
  provider.on('connection-close', (event) => { if (event) closes.push(event.code); });
  return { doc, provider, closes, destroy() { provider.destroy(); doc.destroy(); } };
}

const ids = (client: Client) => rowsOf(client.doc, 'events').map(([id]) => id);

describe.each([
  { name: 'nginx', start: startNginx },
  { name: 'HAProxy', start: startHaproxy },
])('the $name configuration of docs/deployment.md in front of two instances', ({ name, start }) => {
  let dir: string;
  let tls: Tls;
  let cluster: Cluster;
  let proxy: Proxy;
  const clients: Client[] = [];
  const dataset = `via-${name.toLowerCase()}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `tessera-${name.toLowerCase()}-`));
    // nginx's workers may run as another user, and keep request bodies in temp folders here.
    chmodSync(dir, 0o755);
    tls = makeCertificate(dir);
    // The page's settings: TRUST_PROXY=1, HOST an address the proxy reaches, nothing in ALLOWED_ORIGINS.
    cluster = await startCluster(2, { env: { TRUST_PROXY: '1', HOST: '127.0.0.1', ALLOWED_ORIGINS: '' } });
    proxy = await start(dir, await freePort(), cluster.instances.map((instance) => instance.port), tls);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await proxy?.stop();
    await cluster?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs a browser in with a Secure cookie, takes its writes and its socket, and edits cross instances', async () => {
    const json = { 'content-type': 'application/json', origin: proxy.origin };
    const signIn = await request(`${proxy.origin}/api/session`, tls.ca, { method: 'POST', headers: json, body: JSON.stringify({ token: cluster.adminToken }) });
    expect(signIn.status, signIn.text).toBe(200);
    const [setCookie] = signIn.headers['set-cookie'] ?? [];
    expect(setCookie).toMatch(/;\s*Secure/i);
    const cookie = setCookie!.split(';')[0]!;

    // A cookie-authenticated write from the proxy's origin, port included.
    const created = await request(`${proxy.origin}/api/datasets`, tls.ca, {
      method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ id: dataset, name: `Through ${name}`, template: 'events-statements' }),
    });
    expect(created.status, created.text).toBe(201);

    // Requests are spread over both instances.
    const seen = new Set<string>();
    for (let i = 0; i < 12 && seen.size < 2; i++) {
      const reply = await request(`${proxy.origin}/api/me`, tls.ca, { headers: { cookie } });
      expect(reply.status).toBe(200);
      seen.add(String(reply.headers['x-tessera-instance']));
    }
    expect([...seen].sort()).toEqual(['i1', 'i2']);

    // A socket through the proxy, opened as a browser opens it, and one straight on each instance:
    // whichever instance the proxy chose, an edit crosses to the other.
    const viaProxy = browserLikeClient(proxy, tls.ca, cookie, dataset);
    clients.push(viaProxy);
    await waitFor(() => viaProxy.provider.synced, { what: `sync through ${name}` });
    const [direct1, direct2] = await Promise.all(cluster.instances.map((instance) => connectSynced(instance, dataset)));
    clients.push(direct1!, direct2!);

    insertRow(sheetOf(viaProxy.doc, 'events'), 'from-proxy', { summary: `typed through ${name}` });
    await waitFor(() => ids(direct1!).includes('from-proxy') && ids(direct2!).includes('from-proxy'), { what: 'the proxied edit reaches both instances' });
    insertRow(sheetOf(direct1!.doc, 'events'), 'from-i1', { summary: 'typed on instance 1' });
    insertRow(sheetOf(direct2!.doc, 'events'), 'from-i2', { summary: 'typed on instance 2' });
    await waitFor(() => ids(viaProxy).includes('from-i1') && ids(viaProxy).includes('from-i2'), { what: 'both instances\' edits reach the proxied client' });
    expect(viaProxy.closes).toEqual([]);
  });
});
