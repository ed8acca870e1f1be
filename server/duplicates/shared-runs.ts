/**
 * Requests that would compute the same answer share one computation, without any of them getting an
 * answer older than itself: per key at most one run is under way and one waits; every request that
 * arrives while one runs joins the waiting one, which starts when the running one ends (so after each of
 * its requests arrived, and sees all they would have seen).
 */
export class SharedRuns<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly waiting = new Map<string, Promise<T>>();

  run(key: string, compute: () => Promise<T>): Promise<T> {
    const queued = this.waiting.get(key);
    if (queued) return queued;
    const current = this.running.get(key);
    if (!current) return this.start(key, compute);
    const next = current.then(() => undefined, () => undefined).then(() => {
      this.waiting.delete(key);
      return this.start(key, compute);
    });
    this.waiting.set(key, next);
    return next;
  }

  private start(key: string, compute: () => Promise<T>): Promise<T> {
    const started = compute();
    this.running.set(key, started);
    const done = () => {
      if (this.running.get(key) === started) this.running.delete(key);
    };
    started.then(done, done);
    return started;
  }
}
