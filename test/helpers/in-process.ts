/** The app built in-process on a temp SQLite file, for `app.request()` tests that need no socket. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../db/client';
import { createApp, type HttpOptions } from '../../server/app';
import { prepareDatabase } from '../../server/first-start';
import { createLogger } from '../../server/logger';

export interface InProcessApp {
  app: ReturnType<typeof createApp>['app'];
  adminToken: string;
  /** Closes the database and removes the temp dir. */
  dispose(): void;
}

export async function buildApp(http: Partial<HttpOptions> = {}): Promise<InProcessApp> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-app-'));
  const db = openDatabase(join(dir, 'tessera.db'));
  const built = createApp({
    db, log: createLogger('silent'), maxMessageBytes: 1 << 20, docIdleMs: 1000,
    clientDir: join(import.meta.dirname, '..', '..', 'dist', 'client'), http,
  });
  const adminToken = randomBytes(24).toString('base64url');
  await prepareDatabase(db, built.services.store, adminToken);
  return {
    app: built.app,
    adminToken,
    dispose() {
      built.services.registry.closeAll();
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
