/**
 * Long work on the main thread gives the event loop turns every few milliseconds, so that other
 * requests (and `/healthz`) are served while it runs instead of after it.
 */

/** Work between two breaks: long enough that the breaks cost little, short enough that nobody waits long. */
const SLICE_MS = 10;
/**
 * Event-loop turns per break. While it is busy the server takes in one new connection per turn, so
 * a break of one turn would let in one waiting client per slice of work; a turn with nothing to do
 * costs microseconds.
 */
const TURNS_PER_BREAK = 8;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Gives the event loop a few turns: what is waiting (new connections, requests, sockets) is served. */
export async function giveTurns(): Promise<void> {
  for (let i = 0; i < TURNS_PER_BREAK; i++) await nextTurn();
}

/** A function to await often during long work: it gives the event loop turns once `sliceMs` have passed since the last. */
export function turns(sliceMs = SLICE_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await giveTurns();
    since = performance.now();
  };
}

/**
 * The items as they come, with turns for the event loop every `sliceMs` of work, the consumer's work
 * on them included. (An async generator that never waits for I/O, like a page of SQLite rows, runs
 * through all of them in one turn: its `yield`s are microtasks.)
 */
export async function* inTurns<T>(items: AsyncIterable<T>, sliceMs = SLICE_MS): AsyncGenerator<T> {
  const turn = turns(sliceMs);
  for await (const item of items) {
    yield item;
    await turn();
  }
}
