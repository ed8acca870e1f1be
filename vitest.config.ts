import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['model/**/*.test.ts', 'server/**/*.test.ts', 'db/**/*.test.ts', 'client/**/*.test.ts', 'test/**/*.test.ts'],
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
