/**
 * Long work on the main thread gives the event loop turns every few milliseconds, so that other
 * requests (and `/healthz`) are served while it runs instead of after it.
 */

/** Work between two breaks: long enough that the breaks cost little, short enough that nobody waits long. */
const SLICE_MS = 10;
/**
 * While it is busy the server takes in one new connection per event-loop turn, so a break of one turn
 * lets in one waiting client per slice of work. A break goes on while its turns find something to do
 * (a turn that takes longer than IDLE_TURN_MS served something), up to MAX_TURNS; a turn with nothing
 * to do costs microseconds.
 */
const MIN_TURNS = 2;
const MAX_TURNS = 64;
const IDLE_TURN_MS = 0.2;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Gives the event loop turns until what was waiting (new connections, requests, sockets) has been served. */
export async function giveTurns(): Promise<void> {
  for (let turn = 1; turn <= MAX_TURNS; turn++) {
    const started = performance.now();
    await nextTurn();
    if (turn >= MIN_TURNS && performance.now() - started < IDLE_TURN_MS) return;
  }
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
