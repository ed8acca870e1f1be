/** GET /ws/:room — the y-websocket endpoint; a dataset's room is its id (README, "Live sync"). */
import type { Hono } from 'hono';
import type { UpgradeWebSocket, WSContext } from 'hono/ws';
import type { WebSocket } from 'ws';
import { CloseCode } from '../../model/codes';
import { parseRoom } from '../../model/rooms';
import { canEdit, type Role } from '../../model/roles';
import { datasetRole } from '../access';
import { authenticate } from '../auth/middleware';
import type { User } from '../auth/users';
import type { Services } from '../context';
import type { Peer, SharedDoc } from './shared-doc';

/** A socket's peer: sends go straight to the `ws` socket, skipping sockets that are closing. */
class SocketPeer implements Peer {
  readonly userId: string;
  readonly role: Role;
  readonly readOnly: boolean;

  constructor(user: User, role: Role, private readonly socket: WebSocket) {
    this.userId = user.id;
    this.role = role;
    this.readOnly = !canEdit(role);
  }

  send(message: Uint8Array): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(message);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}

export function mountSocket(app: Hono<any>, upgradeWebSocket: UpgradeWebSocket<WebSocket>, { db, storage, registry, log }: Services): void {
  app.get('/ws/:room{.+}', upgradeWebSocket((c) => {
    // The upgrade is always accepted; refusals are close codes, which a browser can see (1006 otherwise).
    const user = authenticate(db, c, true);
    const room = parseRoom(c.req.param('room') ?? '');
    let peer: SocketPeer | null = null;
    let doc: SharedDoc | null = null;
    return {
      onOpen(_event, ws: WSContext<WebSocket>) {
        if (!user) return ws.close(CloseCode.Unauthorized, 'Unauthorized');
        const dataset = room && storage.datasets.get(room.datasetId);
        const role = dataset && datasetRole(user, dataset);
        if (!room || !role) return ws.close(CloseCode.NotFound, 'Unknown dataset');
        try {
          doc = registry.get(room.name);
        } catch (error) {
          log.error({ room: room.name, err: error }, 'loading the document failed');
          return ws.close(CloseCode.LoadFailed, 'Could not load the dataset');
        }
        peer = new SocketPeer(user, role, ws.raw!);
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
        registry.release(doc.id);
        peer = null;
      },
    };
  }));
}
