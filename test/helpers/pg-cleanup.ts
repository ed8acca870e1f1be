/** Drops the PostgreSQL databases a test file made (a vitest setup file: its `afterAll` runs after each file). */
import { afterAll } from 'vitest';
import { dropTestDatabases } from './pg';

afterAll(async () => {
  await dropTestDatabases();
});
