/**
 * A dataset's live document: the Y.Doc, its offline copy in IndexedDB, the stock y-websocket
 * provider, the undo manager for this user's own changes, and the save status shown to the user.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { getSheets } from '../../model/document';
import * as decoding from 'lib0/decoding';
import { CloseCode, StoreMessage } from '../../model/codes';
import { ACKS_PARAM, SaveStatus, type SaveState } from './save-status';
import { OfflineStore } from './offline-store';

/** The origin of every change this user makes in this tab; the undo manager tracks only it. */
export const LOCAL_ORIGIN = { source: 'tessera-local-user' } as const;

export type SyncState = 'connecting' | 'offline' | 'reconnecting' | SaveState;

export interface SyncStatus {
  state: SyncState;
  /** This user's changes kept in this browser and not yet handed to the server. */
  pending: number;
  /** This user's changes not yet kept anywhere: being written to this browser's storage. */
  unstored?: number;
}

export interface ConnectionOptions {
  datasetId: string;
  /** The sync room, when not the dataset's own document: a coder's copy in a round is `DATASET/rounds/ROUND`. */
  room?: string;
  /** Separates offline copies per server, user and dataset incarnation (see cacheName). */
  cacheName: string;
  /** Called when the server closes for good: unauthorized, unknown dataset, forbidden. */
  onFatal?: (code: number, reason: string) => void;
  /** Called when the user's role on the dataset changed while connected (the server tells). */
  onRoleChange?: (role: string) => void;
  /**
   * The document is small (a dataset whose rows are documents of their own holds its sheets' columns
   * only): connect while the offline copy loads, rather than after, and send what the copy holds once it
   * is in (the server takes what it has already as a no-op). A whole sheet's document waits instead, so
   * that the first sync asks only for what it lacks.
   */
  small?: boolean;
  /**
   * `document`: this client reads the dataset's whole document (its rows in it), and says so on its socket:
   * once the dataset is converted to rows by page, the server closes it with 4409 instead of syncing it.
   */
  layout?: 'document';
}

export function statusText({ state, pending, unstored = 0 }: SyncStatus): string {
  const waiting = unstored > 0 ? 'saving in this browser…' : pending === 1 ? '1 change waiting' : `${pending} changes waiting`;
  switch (state) {
    case 'saved':
      return 'Saved';
    case 'not-saved':
      return 'Not saved yet';
    case 'store-failing':
      return 'Server cannot save — your changes are kept in this browser';
    case 'offline':
      return `Offline — ${waiting}`;
    case 'reconnecting':
      return pending > 0 ? `Reconnecting — ${waiting}` : 'Reconnecting';
    case 'connecting':
      return 'Connecting…';
  }
}

export class Connection {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  private readonly offline: OfflineStore;
  readonly undo: Y.UndoManager;
  /** "Saved" only once the server reports this tab's changes stored (see save-status.ts). */
  readonly saves: SaveStatus;
  /** Resolves once the offline copy is loaded and the server has synced (or we are offline). */
  readonly ready: Promise<void>;
  private pending: number;
  /** Offline changes whose write to IndexedDB has not committed yet. */
  private unstored = 0;
  private everSynced = false;
  /** The server closed for good (4401, 4403, 4404): coming back online does not try again. */
  private closedForGood = false;
  private readonly pendingKey: string;
  private readonly statusListeners = new Set<(status: SyncStatus) => void>();
  private readonly cleanup: Array<() => void> = [];

  constructor(private readonly options: ConnectionOptions) {
    const { datasetId, cacheName, room = datasetId } = options;
    this.pendingKey = `${cacheName}:pending`;
    this.pending = Number(localStorage.getItem(this.pendingKey) ?? 0) || 0;
    this.offline = new OfflineStore(cacheName, this.doc);
    const wsProto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // No BroadcastChannel: on connect it posts the whole document to other tabs, seconds of work
    // for a large sheet; tabs meet through the server instead.
    this.provider = new WebsocketProvider(`${wsProto}//${location.host}/ws`, room, this.doc, {
      connect: false, disableBc: true, params: { ...ACKS_PARAM, ...(options.layout && { layout: options.layout }) },
    });
    this.saves = SaveStatus.of(this.provider, this.doc);
    this.provider.messageHandlers[StoreMessage.Role] = (_encoder, decoder) => options.onRoleChange?.(decoding.readVarString(decoder));
    this.cleanup.push(this.saves.onChange(this.notify), () => this.saves.destroy());
    this.undo = new Y.UndoManager(getSheets(this.doc), { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: 400 });

    this.provider.on('status', this.notify);
    this.provider.on('sync', this.onSync);
    this.provider.on('closed', this.onClosed);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('beforeunload', this.onBeforeUnload);
    this.cleanup.push(
      () => this.doc.off('update', this.onUpdate),
      () => window.removeEventListener('beforeunload', this.onBeforeUnload),
      () => window.removeEventListener('offline', this.onOffline),
      () => window.removeEventListener('online', this.onOnline),
    );

    // Loading a whole document needs no 'update' events, and Yjs encodes every transaction again for
    // its 'update' listeners: seconds for a 100k-row sheet. So they listen only once it is loaded.
    if (options.small) {
      this.ready = this.loadBesideSocket();
      return;
    }
    const listen = this.listenToUpdates();
    this.ready = this.offline.load().catch((err: unknown) => {
      // No offline copy (private window, storage blocked): work from the server alone.
      console.warn('The offline copy could not be read', err);
    }).then(() => {
      performance.mark('tessera:offline-copy-loaded');
      // Connect only after the offline copy is in: the first sync step then asks the server for
      // just what we lack, and sends it our offline edits.
      const hasLocalCopy = getSheets(this.doc).size > 0;
      if (hasLocalCopy || !navigator.onLine) {
        listen();
        if (navigator.onLine) this.provider.connect();
        return;
      }
      // First visit: the whole document comes with the first sync; the offline copy is written
      // once the grid is up, in one piece.
      this.provider.connect();
      return new Promise<void>((resolve) => {
        const done = (synced: boolean) => {
          if (!synced) return;
          this.provider.off('sync', done);
          listen();
          this.storeOfflineCopySoon();
          resolve();
        };
        this.provider.on('sync', done);
      });
    });
  }

  get status(): SyncStatus {
    const { provider } = this;
    const { pending, unstored } = this;
    if (!navigator.onLine || !provider.shouldConnect) return { state: 'offline', pending, unstored };
    if (provider.wsconnected && provider.synced) return { state: this.saves.state, pending: 0 };
    return { state: this.everSynced ? 'reconnecting' : 'connecting', pending, unstored };
  }

  /** True while changes go straight to the server. */
  get live(): boolean {
    return this.provider.wsconnected && this.provider.synced;
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    this.statusListeners.add(listener);
    listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  destroy(): void {
    for (const off of this.cleanup) off();
    this.provider.off('status', this.notify);
    this.provider.off('sync', this.onSync);
    this.provider.off('closed', this.onClosed);
    this.undo.destroy();
    this.provider.destroy();
    this.offline.destroy();
    this.doc.destroy();
    this.statusListeners.clear();
  }

  private readonly notify = (): void => {
    const status = this.status;
    for (const listener of this.statusListeners) listener(status);
  };

  /** An offline change counts as waiting once this browser has kept it: until then, leaving asks first. */
  private readonly onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin !== LOCAL_ORIGIN || this.live) return;
    this.unstored++;
    this.notify();
    void this.offline.stored().then(() => {
      this.unstored--;
      this.setPending(this.pending + 1);
      this.notify();
    });
  };

  private readonly onBeforeUnload = (event: BeforeUnloadEvent): void => {
    if (this.unstored === 0) return;
    event.preventDefault();
    event.returnValue = '';
  };

  private readonly onSync = (synced: boolean): void => {
    if (synced) {
      // Sync step 2 has gone both ways: whatever we made offline is now with the server.
      if (!this.everSynced) performance.mark('tessera:first-sync');
      this.everSynced = true;
      this.setPending(0);
    }
    this.notify();
  };

  private readonly onClosed = ({ code, reason }: { code: number; reason: string }): void => {
    this.notify();
    if (code === CloseCode.Unauthorized || code === CloseCode.NotFound || code === CloseCode.Forbidden || code === CloseCode.Converted) {
      this.closedForGood = true;
      // Converted, the server never takes this document again: changes it had not stored (sent while the
      // socket was live, so not counted as waiting) are counted, so that the paged sheet looks for them
      // in the offline copy and sends them into the rows (client/paged/legacy-changes.ts).
      if (code === CloseCode.Converted && this.saves.state !== 'saved') this.setPending(Math.max(this.pending, 1));
      this.options.onFatal?.(code, reason);
    }
  };

  private readonly onOffline = (): void => {
    // Browsers keep a dead socket open for a long while; drop it so the status tells the truth.
    this.provider.disconnect();
    this.notify();
  };

  private readonly onOnline = (): void => {
    if (this.closedForGood) return;
    this.provider.connect();
    this.notify();
  };

  /**
   * Takes the provider's 'update' listener off the document, so that nothing listens while it loads;
   * returns the function that starts every listener: the offline copy, the provider, the pending count.
   * The provider has no public way to do this: y-websocket is pinned to the exact version whose
   * `_updateHandler` this relies on, and client/sync/provider-updates.test.ts checks that behaviour.
   */
  private listenToUpdates(): () => void {
    this.doc.off('update', this.provider._updateHandler);
    return () => {
      this.offline.track();
      this.doc.on('update', this.provider._updateHandler);
      this.doc.on('update', this.onUpdate);
    };
  }

  /**
   * Connects and loads the offline copy at once. Loaded after the socket opened, the copy goes to the
   * server as one update (its origin is the offline store: the provider sends it, the store does not
   * keep it again); loaded before, the first sync takes what the server lacks.
   */
  private async loadBesideSocket(): Promise<void> {
    this.offline.track();
    this.doc.on('update', this.onUpdate);
    if (navigator.onLine) this.provider.connect();
    const synced = this.provider.synced || !navigator.onLine ? Promise.resolve() : new Promise<void>((resolve) => {
      const done = (isSynced: boolean) => {
        if (!isSynced) return;
        this.provider.off('sync', done);
        resolve();
      };
      this.provider.on('sync', done);
    });
    await this.offline.load().catch((err: unknown) => console.warn('The offline copy could not be read', err));
    performance.mark('tessera:offline-copy-loaded');
    // Ready with the copy when it had the sheets, else with the first sync (which the store keeps as it comes).
    if (getSheets(this.doc).size === 0) await synced;
  }

  private storeOfflineCopySoon(): void {
    const store = () => void this.offline.fold().catch((err: unknown) => console.warn('The offline copy could not be written', err));
    if ('requestIdleCallback' in window) requestIdleCallback(store, { timeout: 5000 });
    else setTimeout(store, 1000);
  }

  private setPending(count: number): void {
    this.pending = count;
    if (count === 0) localStorage.removeItem(this.pendingKey);
    else localStorage.setItem(this.pendingKey, String(count));
  }
}
