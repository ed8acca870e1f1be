/**
 * What other instances applied and published (`pending` bus messages) before storing it, kept until it
 * is logged. Should an instance stop before storing its updates, the instances that applied them store
 * them instead (docs/architecture.md#several-instances): each entry keeps what its updates changed,
 * recorded as they were applied here, ready to be committed like a change of this instance's own.
 *
 * An instance logs an update with the bytes it published, so an entry is done once every one of its
 * updates came back logged, over the bus or read from the log.
 *
 * A document without a Y.Doc (only read here) keeps the bytes alone (`keep`): what they changed is
 * recorded when it builds one (`record`), before it would store them.
 */
import * as Y from 'yjs';
import type { Changes } from './changes';

interface Entry {
  /** Its updates not logged yet. */
  waiting: Uint8Array[];
  /** What they changed; null until recorded, for updates kept by a document without a Y.Doc. */
  changes: Changes | null;
  /** Who made them. */
  userId: string | null;
  /** When it arrived (ms). */
  at: number;
}

export class PendingElsewhere {
  private readonly byInstance = new Map<string, Entry[]>();

  get size(): number {
    return this.byInstance.size;
  }

  add(from: string, updates: readonly Uint8Array[], changes: Changes, at: number): void {
    this.push(from, { waiting: [...updates], changes, userId: null, at });
  }

  /** Updates applied nowhere here yet: what they change is recorded later (`record`). */
  keep(from: string, userId: string | null, updates: readonly Uint8Array[], at: number): void {
    this.push(from, { waiting: [...updates], changes: null, userId, at });
  }

  /** Records what each kept update changes, by applying it (`apply`, each instance's in the order they arrived). */
  record(apply: (userId: string | null, updates: readonly Uint8Array[]) => Changes): void {
    for (const entries of this.byInstance.values()) {
      for (const entry of entries) if (entry.changes === null) entry.changes = apply(entry.userId, entry.waiting);
    }
  }

  /**
   * Updates found in the log: entries whose updates are all logged are done. Answers which of them were
   * kept here, so applied and sent to the clients already.
   */
  logged(updates: readonly Uint8Array[]): Set<Uint8Array> {
    const known = new Set<Uint8Array>();
    if (this.byInstance.size === 0) return known;
    for (const update of updates) {
      for (const [from, entries] of this.byInstance) {
        const index = entries.findIndex((e) => e.waiting.some((w) => sameBytes(w, update)));
        if (index < 0) continue;
        known.add(update);
        const entry = entries[index]!;
        entry.waiting = entry.waiting.filter((w) => !sameBytes(w, update));
        if (entry.waiting.length === 0) entries.splice(index, 1);
        if (entries.length === 0) this.byInstance.delete(from);
        break;
      }
    }
    return known;
  }

  /**
   * The log was compacted before the updates came back (the bus lost their commit): entries whose
   * updates the snapshot holds are done. An update is logged whole, so one whose new items the snapshot
   * has is in it; one that only deletes is in it when everything it deletes is deleted there.
   */
  foldedInto(snapshot: Uint8Array): void {
    if (this.byInstance.size === 0) return;
    const stateVector = Y.decodeStateVector(Y.encodeStateVectorFromUpdate(snapshot));
    let snapshotDeletes: Map<number, Array<{ clock: number; len: number }>> | null = null;
    const holds = (update: Uint8Array): boolean => {
      const { to } = Y.parseUpdateMeta(update);
      if (to.size > 0) return [...to].every(([client, clock]) => clock <= (stateVector.get(client) ?? 0));
      snapshotDeletes ??= Y.decodeUpdate(snapshot).ds.clients;
      const deletes = snapshotDeletes;
      return [...Y.decodeUpdate(update).ds.clients].every(([client, ranges]) => ranges.every(({ clock, len }) =>
        (deletes.get(client) ?? []).some((range) => range.clock <= clock && clock + len <= range.clock + range.len)));
    };
    for (const [from, entries] of this.byInstance) {
      for (const entry of entries) entry.waiting = entry.waiting.filter((update) => !holds(update));
      const left = entries.filter((e) => e.waiting.length > 0);
      if (left.length > 0) this.byInstance.set(from, left);
      else this.byInstance.delete(from);
    }
  }

  /** Every update not logged yet, each instance's in the order they arrived (to apply again to a reloaded document). */
  updates(): Uint8Array[] {
    return [...this.byInstance.values()].flatMap((entries) => entries.flatMap((e) => e.waiting));
  }

  /** The instances whose oldest entry arrived more than `ms` before `now`. */
  waitingLongerThan(ms: number, now: number): string[] {
    return [...this.byInstance].filter(([, entries]) => now - entries[0]!.at >= ms).map(([from]) => from);
  }

  /** Takes everything kept of `from` (it stopped before storing it): what changed, oldest first. Call `record` first. */
  take(from: string): Changes[] {
    const entries = this.byInstance.get(from) ?? [];
    if (entries.some((e) => e.changes === null)) throw new Error('kept updates must be recorded before they are taken');
    this.byInstance.delete(from);
    return entries.map((e) => e.changes!);
  }

  private push(from: string, entry: Entry): void {
    const entries = this.byInstance.get(from);
    if (entries) entries.push(entry);
    else this.byInstance.set(from, [entry]);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
