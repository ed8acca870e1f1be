// The gazetteer lives in a worker thread (server/places/search.ts); its TypeScript is loaded through
// tsx, as the server's own is.
import { register } from 'tsx/esm/api';

register();
await import('./places-worker.ts');
