// `npm start`: builds the web client when its sources changed since the last build, then serves in this same
// process, so a SIGTERM or SIGINT sent to it reaches the server's own shutdown.
import { join } from 'node:path';
import { buildClientIfStale } from './client-build';

buildClientIfStale(join(import.meta.dirname, '..'));
await import('../server/main');
