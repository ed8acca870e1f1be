// `npm start`: serves in this same process, so a SIGTERM or SIGINT sent to it reaches the server's own shutdown.
// When the built web client and the built server are current (`builds.mjs`), the server starts at once from its
// one file; otherwise `start.ts` builds what is stale first, through the TypeScript loader (tsx), which this
// path does not load: it costs a restart about half a second.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { clientBuildIsCurrent, SERVER_BUNDLE, serverBundleIsCurrent } from './builds.mjs';

const root = join(import.meta.dirname, '..');
if (clientBuildIsCurrent(root) && serverBundleIsCurrent(root)) {
  await import(pathToFileURL(join(root, SERVER_BUNDLE)).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./start.ts');
}
