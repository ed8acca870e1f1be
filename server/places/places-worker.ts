/**
 * The worker thread that holds the gazetteer (server/places/search.ts): reads it once, then answers
 * searches one message at a time. Its few seconds of reading and each search's milliseconds are spent
 * here, never on the server's event loop; searches sent while it reads wait in its queue.
 */
import { parentPort } from 'node:worker_threads';
import { Gazetteer } from './gazetteer';
import type { SearchRequest, SearchResponse } from './search';

const port = parentPort!;
const gazetteer = await Gazetteer.load();
port.on('message', ({ id, query, options }: SearchRequest) => {
  let response: SearchResponse;
  try {
    response = { id, places: gazetteer.search(query, options) };
  } catch (err) {
    response = { id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(response);
});
