/**
 * What other instances applied and published (`pending` bus messages) before storing it, kept until it
 * is logged. Should an instance stop before storing its updates, the instances that applied them store
 * them instead (docs/architecture.md#several-instances): each entry keeps what its updates changed,
 * recorded as they were applied here, ready to be committed like a change of this instance's own.
 *
 * An instance logs an update with the bytes it published, so an entry is done once every one of its
 * updates came back logged, over the bus or read from the log.
 */
import type { Changes } from './changes';

interface Entry {
  /** Its updates not logged yet. */
  waiting: Uint8Array[];
  changes: Changes;
  /** When it arrived (ms). */
  at: number;
}

export class PendingElsewhere {
  private readonly byInstance = new Map<string, Entry[]>();

  get size(): number {
    return this.byInstance.size;
  }

  add(from: string, updates: readonly Uint8Array[], changes: Changes, at: number): void {
    const entry = { waiting: [...updates], changes, at };
    const entries = this.byInstance.get(from);
    if (entries) entries.push(entry);
    else this.byInstance.set(from, [entry]);
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

  /** Every update not logged yet, each instance's in the order they arrived (to apply again to a reloaded document). */
  updates(): Uint8Array[] {
    return [...this.byInstance.values()].flatMap((entries) => entries.flatMap((e) => e.waiting));
  }

  /** The instances whose oldest entry arrived more than `ms` before `now`. */
  waitingLongerThan(ms: number, now: number): string[] {
    return [...this.byInstance].filter(([, entries]) => now - entries[0]!.at >= ms).map(([from]) => from);
  }

  /** Takes everything kept of `from` (it stopped before storing it): what changed, oldest first. */
  take(from: string): Changes[] {
    const entries = this.byInstance.get(from) ?? [];
    this.byInstance.delete(from);
    return entries.map((e) => e.changes);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
