/**
 * Work run one at a time per key (a sheet): a request that comes while another reads the sheet waits for it, and
 * then finds what that one kept. A failure is its caller's; the next runs all the same.
 */
export class SerialByKey {
  private readonly busy = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.busy.get(key) ?? Promise.resolve()).then(work, work);
    const settled = next.catch(() => undefined);
    this.busy.set(key, settled);
    void settled.then(() => {
      if (this.busy.get(key) === settled) this.busy.delete(key);
    });
    return next;
  }
}
