/** GET /ws/:datasetId — the y-websocket endpoint (CONTRACT §4). */
import type { Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import { CloseCode } from '../../model/codes';
import { canEdit, type Role } from '../../model/roles';
import { authenticate } from '../auth/middleware';
import type { User } from '../auth/users';
import type { Services } from '../context';
import { datasetExists } from '../datasets';
import type { Peer, SharedDoc } from './shared-doc';

/** A socket's peer: sends go straight to the `ws` socket, skipping sockets that are closing. */
class SocketPeer implements Peer {
  readonly userId: string;
  readonly role: Role;
  readonly readOnly: boolean;

  constructor(user: User, private readonly socket: WebSocket) {
    this.userId = user.id;
    this.role = user.role;
    this.readOnly = !canEdit(user.role);
  }

  send(message: Uint8Array): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(message);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}

export function mountSocket(app: Hono<any>, upgradeWebSocket: UpgradeWebSocket<WebSocket>, { db, registry, log }: Services): void {
  app.get('/ws/:datasetId', upgradeWebSocket((c) => {
    // The upgrade is always accepted; refusals are close codes, which a browser can see (1006 otherwise).
    const user = authenticate(db, c, true);
    const datasetId = c.req.param('datasetId') ?? '';
    let peer: SocketPeer | null = null;
    let doc: SharedDoc | null = null;
    return {
      onOpen(_event, ws: WSContext<WebSocket>) {
        if (!user) return ws.close(CloseCode.Unauthorized, 'Unauthorized');
        if (!datasetExists(db, datasetId)) return ws.close(CloseCode.NotFound, 'Unknown dataset');
        try {
          doc = registry.get(datasetId);
        } catch (error) {
          log.error({ dataset: datasetId, err: error }, 'loading the document failed');
          return ws.close(CloseCode.LoadFailed, 'Could not load the dataset');
        }
        peer = new SocketPeer(user, ws.raw!);
        doc.addPeer(peer);
      },
      onMessage(event, ws) {
        if (!peer || !doc) return;
        if (typeof event.data === 'string') return ws.close(CloseCode.BadMessage, 'Bad message');
        doc.receive(peer, new Uint8Array(event.data as ArrayBuffer));
      },
      onClose() {
        if (!peer || !doc) return;
        doc.removePeer(peer);
        registry.release(datasetId);
        peer = null;
      },
    };
  }));
}
