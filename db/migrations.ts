/**
 * The migrations a folder holds, as drizzle-kit's journal lists them, and which of them a database still
 * lacks. Drizzle's migrator records only each applied migration's time (`created_at`, the journal's `when`)
 * and applies every one newer than the newest recorded, so the same rule names what a start applied and
 * what a backup's schema is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Migration {
  /** The file name without `.sql`, e.g. `0005_rounds`. */
  tag: string;
  /** When drizzle-kit made it, in ms: what the database records once it is applied. */
  when: number;
}

/** Called once per migration a start applied, oldest first. */
export type OnMigration = (migration: string) => void;

/** Every migration of the folder, oldest first. */
export function migrationsIn(folder: string): Migration[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: Migration[] };
  return journal.entries.map(({ tag, when }) => ({ tag, when }));
}

/** Those a database whose newest applied migration is from `lastApplied` (undefined: none) does not have. */
export function pendingMigrations(folder: string, lastApplied: number | undefined): Migration[] {
  return migrationsIn(folder).filter((m) => lastApplied === undefined || lastApplied < m.when);
}

/** The migration of the folder made at `when`, if this checkout knows it. */
export function migrationAt(folder: string, when: number): Migration | undefined {
  return migrationsIn(folder).find((m) => m.when === when);
}
