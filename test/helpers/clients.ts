/** Real y-websocket clients (the stock WebsocketProvider) over real sockets. */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { RunningServer } from './server';
import { waitFor } from './wait';

export interface Client {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close codes the socket saw, in order. */
  closes: number[];
  destroy(): void;
}

/** Where a client connects: a started server, or any other address of the sync endpoint. */
export type SyncEndpoint = Pick<RunningServer, 'wsUrl' | 'adminToken'>;

/** Connects a stock provider; `token: null` connects without one. */
export function connect(server: SyncEndpoint, datasetId: string, token: string | null = server.adminToken, options: { connect?: boolean } = {}): Client {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(server.wsUrl, datasetId, doc, {
    params: token === null ? {} : { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    connect: options.connect ?? true,
    disableBc: true,
    maxBackoffTime: 500,
  });
  // In Node the stock provider adds a process 'exit' listener per instance, to drop its awareness state as the
  // process ends; what it would send then never leaves the process. A test file holds dozens of clients (Node
  // warns from the eleventh listener on), so test clients do without it.
  process.off('exit', (provider as unknown as { _exitHandler: () => void })._exitHandler);
  const closes: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push(event.code);
  });
  return {
    doc, provider, closes,
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Connects and waits until the first sync with the server finished. */
export async function connectSynced(server: SyncEndpoint, datasetId: string, token?: string): Promise<Client> {
  const client = connect(server, datasetId, token);
  await waitFor(() => client.provider.synced, { what: 'initial sync' });
  return client;
}

/** API call with the bearer token; returns status and parsed JSON (or text). */
export async function api(server: Pick<RunningServer, 'url' | 'adminToken'>, path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? server.adminToken : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: any = text;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, body, headers: response.headers };
}
