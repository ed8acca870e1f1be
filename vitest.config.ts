import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files `npm run test:pg` (TESSERA_TEST_STORE=pg) leaves out although they are in its folders: a second run on
 * PostgreSQL would repeat the SQLite run's assertions on the same code and add nothing. Either what they test is
 * decided before the store is asked (headers, Origin checks, the body limit, the client build's freshness), or it
 * happens in the browser and the rooms in memory, and the store only keeps the rows it starts from.
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
  // Browser files: storing and reading their rows on PostgreSQL is what the files kept in the run test
  // (paged-grid, paged-grid-undo, row-rooms.test.ts and the other integration files).
  // Edits, presence, undo and focus between two browsers, relayed through the document in memory.
  'test/e2e/collaboration.test.ts',
  // Who is where in the paged grid: awareness, relayed and never stored.
  'test/e2e/paged-grid-presence.test.ts',
  // The checks of the rows the tab has read, made in the browser.
  'test/e2e/paged-grid-problems.test.ts',
  // Rows kept in the browser's IndexedDB, and the pages made unreadable by the page itself; what is sent once
  // online is a row's update like any other.
  'test/e2e/paged-grid-offline.test.ts',
  // A selected block: its size, copy, Delete and one Ctrl+Z over the rows the tab has read.
  'test/e2e/paged-block.test.ts',
];

/** Left out of every run (and, on PostgreSQL, the files above). */
const EXCLUDE = [...configDefaults.exclude, ...(process.env.TESSERA_TEST_STORE === 'pg' ? STORE_FREE : [])];

/**
 * Files that share one module cache per worker (`isolate: false`): pure functions of the model and the web
 * client, which start no server, open no database and leave nothing behind in the process (no stubbed global,
 * fake clock, environment variable or module state another file could read). Loading the model's modules once
 * per worker instead of once per file halves their CPU. A test that does any of those things, or reads state
 * an earlier file could have changed, goes in `ISOLATED_UNITS`: there each file gets fresh modules as before.
 */
const SHARED_MODULES = ['model/**/*.test.ts', 'client/**/*.test.ts'];
/** Files of those folders that keep fresh modules of their own. */
const ISOLATED_UNITS = [
  // Replace a global (fetch, WebSocket) or the clock.
  'client/api.test.ts', 'client/paged/review-mirror.test.ts', 'client/paged/row-socket.test.ts',
  // Reads the time in new row ids, which come from one monotonic clock per module: a file that made an id
  // after a clock ahead of ours (client/grid/edit.test.ts) moves it on for every file after it.
  'model/ids.test.ts',
];

/**
 * Builds the server and the client the tests start (once per project that has it: the unit files need neither,
 * so `shared-modules` goes without).
 */
const BUILD = 'test/helpers/global-setup.ts';

export default defineConfig({
  test: {
    exclude: EXCLUDE,
    testTimeout: 60_000,
    // A poll waits for something to happen and passes the moment it has; 1 s (the default) is too short
    // for a page to load and render while browsers and several server processes share two cores.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    // Two cores: integration and browser tests start real servers and Chromium.
    maxWorkers: 2,
    // Drops the PostgreSQL databases a file made (TESSERA_TEST_STORE=pg, and the PostgreSQL store's own tests).
    setupFiles: ['test/helpers/pg-cleanup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'shared-modules', include: SHARED_MODULES, exclude: [...EXCLUDE, ...ISOLATED_UNITS], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'isolated',
          globalSetup: [BUILD],
          include: ['server/**/*.test.ts', 'db/**/*.test.ts', 'test/**/*.test.ts', ...ISOLATED_UNITS],
          exclude: [...EXCLUDE, 'test/cluster/**'],
        },
      },
      // Several servers and proxies a file: run on its own (`npm run test:cluster`) after the rest.
      { extends: true, test: { name: 'cluster', include: ['test/cluster/**/*.test.ts'], globalSetup: [BUILD] } },
    ],
  },
});
