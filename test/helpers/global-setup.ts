/** Builds the web client once before the suite when it was not built from today's sources. */
import { join } from 'node:path';
import { buildClientIfStale } from '../../scripts/client-build';

export default function setup(): void {
  if (process.env.SKIP_CLIENT_BUILD === '1') return;
  buildClientIfStale(join(import.meta.dirname, '..', '..'));
}
