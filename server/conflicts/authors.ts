/**
 * Who wrote an item of a loaded document: each transaction applied while it is loaded records, per
 * Yjs client id, the first clock it added and the user it came from. A client id is one browser tab's
 * document (one user), but the server's own client id writes for every user who calls the API, so
 * runs of clocks are kept, not one user per client.
 */
import type * as Y from 'yjs';

interface Run {
  /** The first clock of the run. */
  clock: number;
  userId: string | null;
}

export class ItemAuthors {
  private readonly runs = new Map<number, Run[]>();

  /** Records the items a transaction added as written by `userId`. */
  record(transaction: Y.Transaction, userId: string | null): void {
    transaction.afterState.forEach((after, client) => {
      const before = transaction.beforeState.get(client) ?? 0;
      if (after <= before) return;
      let runs = this.runs.get(client);
      if (!runs) this.runs.set(client, (runs = []));
      const last = runs.at(-1);
      if (last && last.userId === userId) return;
      runs.push({ clock: before, userId });
    });
  }

  /** The user who wrote the item at `id`; undefined when it was written before the document was loaded. */
  of(id: Y.ID): string | null | undefined {
    const runs = this.runs.get(id.client);
    if (!runs || runs.length === 0 || id.clock < runs[0]!.clock) return undefined;
    let low = 0;
    let high = runs.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (runs[mid]!.clock <= id.clock) low = mid;
      else high = mid - 1;
    }
    return runs[low]!.userId;
  }
}
