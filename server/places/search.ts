/**
 * Searching the gazetteer (server/places/gazetteer.ts) from the server: it is read and kept by a worker
 * thread of its own, started on the first search, so that neither its reading (seconds) nor a search
 * (milliseconds) holds up the sockets and requests on the server's event loop. The worker keeps the
 * process alive only while a search waits for it; if it fails, the searches waiting for it fail and the
 * next one starts a new one.
 */
import { Worker } from 'node:worker_threads';
import type { PlaceMatch } from '../../model/places-http';
import type { SearchOptions } from './gazetteer';

export interface SearchRequest {
  id: number;
  query: string;
  options: SearchOptions;
}

export type SearchResponse = { id: number; places: PlaceMatch[] } | { id: number; error: string };

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (places: PlaceMatch[]) => void; reject: (err: Error) => void }>();

function started(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./places-worker.mjs', import.meta.url));
  w.on('message', (response: SearchResponse) => {
    const asked = waiting.get(response.id);
    waiting.delete(response.id);
    if (waiting.size === 0) w.unref();
    if (!asked) return;
    if ('error' in response) asked.reject(new Error(response.error));
    else asked.resolve(response.places);
  });
  const fail = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const asked of waiting.values()) asked.reject(err);
    waiting.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the gazetteer's worker stopped (exit code ${code})`)));
  // Listeners re-reference a worker: it is let go only after they are added.
  w.unref();
  worker = w;
  return w;
}

/** Places matching `query`, best first (see `Gazetteer.search`). */
export function searchPlaces(query: string, options: SearchOptions): Promise<PlaceMatch[]> {
  return new Promise((resolve, reject) => {
    const id = ++nextId;
    const w = started();
    if (waiting.size === 0) w.ref();
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, query, options } satisfies SearchRequest);
  });
}
