// `npm start`: builds the web client and the server when their sources changed since their last build, then
// serves in this same process, so a SIGTERM or SIGINT sent to it reaches the server's own shutdown. The server
// runs as one built file (`scripts/server-build.ts`): a restart need not transform its TypeScript again.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildClientIfStale } from './client-build';
import { buildServerIfStale } from './server-build';

const root = join(import.meta.dirname, '..');
buildClientIfStale(root);
await import(pathToFileURL(await buildServerIfStale(root)).href);
