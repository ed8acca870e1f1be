/**
 * The bus between instances on Redis pub/sub (ioredis, the client Hocuspocus's Redis extension uses):
 * one channel per room, one for server-wide events, all under a key prefix so that several Tessera
 * deployments (or test runs) share one Redis. Pub/sub keeps nothing: what is published while an instance
 * is disconnected is lost to it, and it reads the log when it is back (`onReconnect`).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { Redis } from 'ioredis';
import type { RowDelta } from '../../model/codes';
import type { Logger } from '../logger';
import type { Bus, ClusterEvent, RoomMessage } from './bus';

const KIND = { updates: 0, presence: 1, hello: 2, rows: 3, pending: 4 } as const;

/** How often an instance renews its mark of being alive, and how long the mark outlives the last renewal. */
const ALIVE_EVERY_MS = 1000;
const ALIVE_FOR_MS = 4000;
/** How long loading a document waits for its channel's subscription to be confirmed. */
const SUBSCRIBE_WAIT_MS = 2000;

export interface RedisBusOptions {
  url: string;
  /** Prefix of every channel name. */
  prefix: string;
  /** This instance's name: its own messages come back to it and are skipped. */
  instanceId: string;
  log: Logger;
}

export class RedisBus implements Bus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly rooms = new Map<string, { listeners: number; deliver: (message: RoomMessage, from: string) => void }>();
  private readonly aliveTimer: NodeJS.Timeout;
  private readonly eventListeners: Array<(event: ClusterEvent) => void> = [];
  private readonly reconnectListeners: Array<() => void> = [];
  private readonly eventsChannel: string;
  /** Set once the subscriber connection was ready: every later ready is a reconnect. */
  private wasReady = false;
  /** Set while publishing fails, so the log says it once per outage. */
  private publishFailing = false;

  constructor(private readonly options: RedisBusOptions) {
    this.eventsChannel = `${options.prefix}events`;
    // Publishing never waits for a connection: a message that cannot go now is dropped (the log has it).
    // What is published in one turn of the event loop goes to Redis in one write (in order), not one each.
    this.pub = new Redis(options.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: false, enableAutoPipelining: true });
    this.sub = new Redis(options.url, { maxRetriesPerRequest: null });
    for (const [name, connection] of [['publisher', this.pub], ['subscriber', this.sub]] as const) {
      connection.on('error', (error: Error) => options.log.debug({ err: error, connection: name }, 'redis connection error'));
    }
    // Said once when Redis cannot be reached from the start (a wrong REDIS_URL, say); ioredis keeps trying.
    this.sub.once('error', (error: Error) => {
      if (!this.wasReady) options.log.warn({ err: error }, 'cannot reach redis yet; serving this instance\'s clients and retrying');
    });
    this.sub.on('close', () => {
      if (this.wasReady) options.log.warn('redis connection lost; serving this instance\'s clients and reconnecting');
    });
    this.sub.on('ready', () => void this.ready());
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.receive(channel.toString(), message));
    void this.sub.subscribe(this.eventsChannel).catch((error: unknown) => options.log.debug({ err: error }, 'subscribing to events deferred'));
    this.pub.on('ready', () => this.markAlive());
    this.aliveTimer = setInterval(() => this.markAlive(), ALIVE_EVERY_MS);
    this.aliveTimer.unref();
  }

  get connected(): boolean {
    return this.sub.status === 'ready' && this.pub.status === 'ready';
  }

  async join(room: string, deliver: (message: RoomMessage, from: string) => void): Promise<void> {
    const joined = this.rooms.get(room);
    if (joined) {
      joined.listeners++;
      joined.deliver = deliver;
      return;
    }
    this.rooms.set(room, { listeners: 1, deliver });
    const subscribed = this.sub.subscribe(this.channel(room)).then(() => true, () => false);
    // While Redis is away (or goes away now) the subscription is made on reconnect, and the room then
    // reads the log: a document never waits for Redis longer than this.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), SUBSCRIBE_WAIT_MS); });
    if (this.sub.status === 'ready') await Promise.race([subscribed, gaveUp]);
    clearTimeout(timer);
  }

  leave(room: string): void {
    const joined = this.rooms.get(room);
    if (!joined || --joined.listeners > 0) return;
    this.rooms.delete(room);
    this.sub.unsubscribe(this.channel(room)).catch(() => undefined);
  }

  publish(room: string, message: RoomMessage): void {
    this.send(this.channel(room), encodeMessage(this.options.instanceId, message));
  }

  announce(event: ClusterEvent): void {
    this.send(this.eventsChannel, Buffer.from(JSON.stringify({ from: this.options.instanceId, event })));
  }

  onEvent(listener: (event: ClusterEvent) => void): void {
    this.eventListeners.push(listener);
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async alive(instanceId: string): Promise<boolean | null> {
    if (!this.connected) return null;
    try {
      return (await this.pub.exists(this.aliveKey(instanceId))) === 1;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.aliveTimer);
    // Stopping on purpose: the others need not wait for the mark to lapse.
    await this.pub.del(this.aliveKey(this.options.instanceId)).catch(() => undefined);
    this.rooms.clear();
    this.pub.disconnect();
    this.sub.disconnect();
  }

  private aliveKey(instanceId: string): string {
    return `${this.options.prefix}alive:${instanceId}`;
  }

  private markAlive(): void {
    this.pub.set(this.aliveKey(this.options.instanceId), '1', 'PX', ALIVE_FOR_MS).catch(() => undefined);
  }

  private channel(room: string): string {
    return `${this.options.prefix}room:${room}`;
  }

  private send(channel: string, payload: Buffer | Uint8Array): void {
    this.pub.publish(channel, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)).then(() => {
      if (!this.publishFailing) return;
      this.publishFailing = false;
      this.options.log.warn('publishing to redis works again');
    }, (error: unknown) => {
      if (this.publishFailing) return;
      this.publishFailing = true;
      this.options.log.error({ err: error }, 'publishing to redis fails; other instances will read the log');
    });
  }

  /** On every (re)connection: once the resubscriptions are answered, rooms read what they missed. */
  private async ready(): Promise<void> {
    const again = this.wasReady;
    this.wasReady = true;
    // The first connection: rooms joined before it (Redis was down at the start) may have missed messages.
    if (!again && this.rooms.size === 0) return;
    try {
      // Redis answers in order: the PING's answer comes after every resubscription's.
      await this.sub.ping();
    } catch {
      return; // lost again; the next ready tries again
    }
    this.options.log.warn('redis connection restored; reading what was missed from the log');
    for (const listener of this.reconnectListeners) listener();
  }

  private receive(channel: string, message: Buffer): void {
    try {
      if (channel === this.eventsChannel) {
        const { from, event } = JSON.parse(message.toString()) as { from: string; event: ClusterEvent };
        if (from === this.options.instanceId) return;
        for (const listener of this.eventListeners) listener(event);
        return;
      }
      const room = channel.slice(`${this.options.prefix}room:`.length);
      // Every instance gets its own messages back from Redis: those are dropped before decoding the rest.
      const decoder = decoding.createDecoder(message);
      const from = decoding.readVarString(decoder);
      if (from === this.options.instanceId) return;
      this.rooms.get(room)?.deliver(decodeBody(decoder), from);
    } catch (error) {
      this.options.log.error({ err: error, channel }, 'an unreadable message on the redis bus was dropped');
    }
  }
}

export function encodeMessage(from: string, message: RoomMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, from);
  encoding.writeVarUint(encoder, KIND[message.kind]);
  switch (message.kind) {
    case 'updates':
      encoding.writeVarUint(encoder, message.prevSeq);
      encoding.writeVarUint(encoder, message.seq);
      encoding.writeVarUint(encoder, message.updates.length);
      for (const update of message.updates) encoding.writeVarUint8Array(encoder, update);
      break;
    case 'pending':
      encoding.writeVarString(encoder, JSON.stringify(message.userId));
      encoding.writeVarUint(encoder, message.updates.length);
      for (const update of message.updates) encoding.writeVarUint8Array(encoder, update);
      break;
    case 'presence':
      encoding.writeVarUint8Array(encoder, message.update);
      break;
    case 'rows':
      encoding.writeVarString(encoder, JSON.stringify(message.rows));
      break;
    case 'hello':
      break;
  }
  return encoding.toUint8Array(encoder);
}

export function decodeMessage(bytes: Uint8Array): { from: string; message: RoomMessage } {
  const decoder = decoding.createDecoder(bytes);
  const from = decoding.readVarString(decoder);
  return { from, message: decodeBody(decoder) };
}

/** A message after its sender's id. */
function decodeBody(decoder: decoding.Decoder): RoomMessage {
  const kind = decoding.readVarUint(decoder);
  switch (kind) {
    case KIND.updates: {
      const prevSeq = decoding.readVarUint(decoder);
      const seq = decoding.readVarUint(decoder);
      return { kind: 'updates', prevSeq, seq, updates: readUpdates(decoder) };
    }
    case KIND.pending: {
      const userId = JSON.parse(decoding.readVarString(decoder)) as string | null;
      return { kind: 'pending', userId, updates: readUpdates(decoder) };
    }
    case KIND.presence:
      return { kind: 'presence', update: decoding.readVarUint8Array(decoder) };
    case KIND.hello:
      return { kind: 'hello' };
    case KIND.rows:
      return { kind: 'rows', rows: JSON.parse(decoding.readVarString(decoder)) as RowDelta[] };
    default:
      throw new Error(`unknown message kind ${kind}`);
  }
}

function readUpdates(decoder: decoding.Decoder): Uint8Array[] {
  const count = decoding.readVarUint(decoder);
  const updates: Uint8Array[] = [];
  for (let i = 0; i < count; i++) updates.push(decoding.readVarUint8Array(decoder));
  return updates;
}
