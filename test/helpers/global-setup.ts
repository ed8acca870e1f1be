/**
 * Before the suite: builds the web client when it was not built from today's sources, and the server into one
 * file that the tests start (`scripts/server-build.ts`; TESSERA_TEST_FROM_SOURCE=1 runs it from source instead).
 */
import { join } from 'node:path';
import { buildClientIfStale } from '../../scripts/client-build';
import { buildTestServer } from '../../scripts/server-build';

export default async function setup(): Promise<void> {
  const root = join(import.meta.dirname, '..', '..');
  if (process.env.TESSERA_TEST_FROM_SOURCE !== '1') await buildTestServer(root);
  if (process.env.SKIP_CLIENT_BUILD === '1') return;
  buildClientIfStale(root);
}
