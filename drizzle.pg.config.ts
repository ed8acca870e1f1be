import { defineConfig } from 'drizzle-kit';

/** The PostgreSQL store's migrations (`npm run db:generate:pg`); the SQLite ones are `drizzle.config.ts`'s. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/pg/schema.ts',
  out: './db/pg/migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tessera' },
});
