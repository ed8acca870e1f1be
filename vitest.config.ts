import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files `npm run test:pg` (TESSERA_TEST_STORE=pg) leaves out although they are in its folders: what they test is
 * decided before the store is asked (headers, Origin checks, the body limit, the client build's freshness), so a
 * second run on PostgreSQL repeats the SQLite run's assertions on the same code and adds nothing.
 */
const STORE_FREE = [
  // A checkout in miniature and a stand-in build: no server, no database.
  'test/integration/client-build.test.ts',
  // Response headers and the session cookie's flags, set by middleware around every answer.
  'test/integration/security-headers.test.ts',
  // Cross-site writes refused by Origin and Sec-Fetch-Site before any route runs.
  'test/integration/security-csrf.test.ts',
  // A sync socket's Origin checked at the upgrade, before the document is opened.
  'test/integration/security-socket-origin.test.ts',
  // A body over MAX_BODY_BYTES refused while it is read, before the route.
  'test/integration/security-body-limit.test.ts',
];

export default defineConfig({
  test: {
    include: ['model/**/*.test.ts', 'server/**/*.test.ts', 'db/**/*.test.ts', 'client/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TESSERA_TEST_STORE === 'pg' ? STORE_FREE : [])],
    testTimeout: 60_000,
    // A poll waits for something to happen and passes the moment it has; 1 s (the default) is too short
    // for a page to load and render while browsers and several server processes share two cores.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    // Two cores: integration and browser tests start real servers and Chromium.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
    // Drops the PostgreSQL databases a file made (TESSERA_TEST_STORE=pg, and the PostgreSQL store's own tests).
    setupFiles: ['test/helpers/pg-cleanup.ts'],
  },
});
