/**
 * For the administration tests: the app built in-process on a SQLite file of the test's own (its
 * PostgreSQL database with TESSERA_TEST_STORE=pg), SQL on that store from a connection of its own, a
 * failing audit log (a trigger that aborts every insert into `audit_log`, as a full disk aborts the
 * transaction), and open sockets stood in for by peers that record when they are closed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Role } from '../../model/roles';
import type { LivePeer } from '../../server/sync/live-peers';
import { type App, buildApp } from '../helpers/app';
import { testDatabaseFor, testOnPostgres } from '../helpers/pg';

/** SQL run on the store beside the server. */
export interface StoreSql {
  rows(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export async function buildAdminApp(): Promise<{ app: App; sql: StoreSql }> {
  const file = join(mkdtempSync(join(tmpdir(), 'tessera-admin-')), 'tessera.db');
  const app = await buildApp({ file });
  if (testOnPostgres) {
    const client = new pg.Client({ connectionString: (await testDatabaseFor(file)).url });
    await client.connect();
    return {
      app,
      sql: {
        rows: async (sql, params = []) => {
          let n = 0;
          return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows;
        },
        exec: async (sql) => { await client.query(sql); },
        close: () => client.end(),
      },
    };
  }
  const sqlite = new Database(file, { timeout: 5000 });
  return {
    app,
    sql: {
      rows: async (sql, params = []) => sqlite.prepare(sql).all(...params) as Array<Record<string, unknown>>,
      exec: async (sql) => { sqlite.exec(sql); },
      close: async () => { sqlite.close(); },
    },
  };
}

/** From now on every audit entry fails to be written, and with it the transaction that writes it. */
export function refuseAudits(sql: StoreSql): Promise<void> {
  return sql.exec(testOnPostgres
    ? `CREATE OR REPLACE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'the audit log is full'; END $$ LANGUAGE plpgsql;
       CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();`
    : `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is full'); END;`);
}

export function allowAudits(sql: StoreSql): Promise<void> {
  return sql.exec(testOnPostgres ? 'DROP TRIGGER refuse_audit ON audit_log' : 'DROP TRIGGER refuse_audit');
}

/** The audit entries of an action, oldest first. */
export async function audited(sql: StoreSql, action: string): Promise<Array<{ target: string; detail: Record<string, unknown> }>> {
  return (await sql.rows('SELECT target, detail FROM audit_log WHERE action = ? ORDER BY id', [action]))
    .map((e) => ({ target: e.target as string, detail: JSON.parse(e.detail as string) as Record<string, unknown> }));
}

/** An open socket as the server's live peers see it; `log` records what happened to it, in order. */
export interface FakePeer extends LivePeer {
  closedWith: number | null;
  roles: Role[];
}

export function fakePeer(app: App, which: { userId: string; datasetId: string; credential: string; role: Role }, log: string[]): FakePeer {
  const peer: FakePeer = {
    ...which,
    room: which.datasetId,
    closedWith: null,
    roles: [],
    changeRole(role) {
      log.push(`role ${role}`);
      peer.roles.push(role);
      (peer as { role: Role }).role = role;
    },
    close(code) {
      log.push(`closed ${code}`);
      peer.closedWith = code;
    },
  };
  app.services.peers.add(peer);
  return peer;
}

/**
 * Records in `log` when a store method's promise settles: what the store has committed by then is
 * what the method's transaction wrote.
 */
export function recordCommits<T extends object>(store: T, method: keyof T & string, log: string[]): void {
  const original = (store[method] as (...args: unknown[]) => Promise<unknown>).bind(store);
  Object.assign(store, {
    [method]: async (...args: unknown[]) => {
      try {
        return await original(...args);
      } finally {
        log.push(`${method} settled`);
      }
    },
  });
}
