import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { MessageType } from '../../server/sync/protocol';
import { awarenessFrame, openRawSocket } from '../helpers/raw-socket';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

describe('presence', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it('echoes a lone client its own presence, so the stock client never times out on a quiet dataset', async () => {
    const socket = openRawSocket(server, 'demo');
    await socket.opened;
    const before = socket.received.length;
    const awareness = new awarenessProtocol.Awareness(new Y.Doc());
    awareness.setLocalState({ user: { name: 'alone', color: '#123456' } });
    socket.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID])));
    const echoed = await waitFor(() => socket.received.slice(before).find((m) => m[0] === MessageType.Awareness), { what: 'awareness echoed' });
    // Its own state comes back (its colour), under the signed-in user's name rather than the one it chose.
    expect(new TextDecoder().decode(echoed)).toContain('#123456');
    expect(new TextDecoder().decode(echoed)).toContain('"name":"admin"');
    awareness.destroy();
    socket.ws.close();
  });
});
