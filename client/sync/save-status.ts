/**
 * Whether this tab's changes are stored by the server, not just received: the server tells a client
 * that connects with `acks=1` the document's state vector as stored after each write that included
 * its changes, and tells it when it cannot store. "Saved" means that stored state covers every change
 * made with this tab's client id.
 */
import * as decoding from 'lib0/decoding';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { StoreMessage } from '../../model/codes';

export type SaveState =
  /** Everything this tab changed is stored. */
  | 'saved'
  /** Some change of this tab is not stored yet (on its way, or waiting for the connection). */
  | 'not-saved'
  /** The server said it cannot store; this tab's changes are kept in the browser meanwhile. */
  | 'store-failing';

/** The query parameter that asks the server for store acknowledgements. */
export const ACKS_PARAM = { acks: '1' } as const;

export class SaveStatus {
  private stored = new Map<number, number>();
  private storeFailing = false;
  private last: SaveState;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly doc: Y.Doc) {
    // After every transaction, not on 'update': that event makes Yjs encode each transaction again.
    doc.on('afterTransaction', this.changed);
    this.last = this.state;
  }

  /** Listens to a y-websocket provider's acknowledgements. */
  static of(provider: WebsocketProvider, doc: Y.Doc): SaveStatus {
    const saves = new SaveStatus(doc);
    provider.messageHandlers[StoreMessage.Stored] = (_encoder, decoder) => saves.storedAs(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
    provider.messageHandlers[StoreMessage.StoreFailing] = () => saves.failing();
    return saves;
  }

  /** The server stored the document up to this state vector. */
  storedAs(stateVector: Map<number, number>): void {
    this.stored = stateVector;
    this.storeFailing = false;
    this.changed();
  }

  /** The server said it cannot store right now. */
  failing(): void {
    this.storeFailing = true;
    this.changed();
  }

  get state(): SaveState {
    const mine = Y.getState(this.doc.store, this.doc.clientID);
    if ((this.stored.get(this.doc.clientID) ?? 0) >= mine) return 'saved';
    return this.storeFailing ? 'store-failing' : 'not-saved';
  }

  /** Calls `listener` whenever `state` changes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  destroy(): void {
    this.doc.off('afterTransaction', this.changed);
    this.listeners.clear();
  }

  private readonly changed = (): void => {
    const state = this.state;
    if (state === this.last) return;
    this.last = state;
    for (const listener of this.listeners) listener();
  };
}
