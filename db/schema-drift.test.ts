/**
 * The SQLite schema (`db/schema.ts`) and the PostgreSQL one (`db/pg/schema.ts`) hold the same tables, column
 * for column: the stores share their decoders (`db/read-rows.ts`) and their queries (`db/shared/`), which
 * hold only while the tables do. This test compares them twice — as Drizzle declares them, and as each store's
 * migrations build a fresh database — and each declared schema with its own migrated database, so that a
 * column, index, key or trigger added to one side only (or to a schema without its migration) fails here.
 */
import Database from 'better-sqlite3';
import { getTableConfig as pgTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is, Table } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/helpers/pg';
import { openDatabase } from './client';
import { openPgDatabase } from './pg/client';
import * as pgSchema from './pg/schema';
import * as sqliteSchema from './schema';

/** A column as both stores can state it: the type by what it holds (PostgreSQL's names mapped to SQLite's). */
interface ColumnShape {
  type: string;
  notNull: boolean;
  /** The default value as SQL text, quotes and casts removed; null when there is none. */
  default: string | null;
  /** An id the database numbers (SQLite's AUTOINCREMENT, PostgreSQL's bigserial). */
  serial: boolean;
  /** Drizzle's declared values of a text enum (declared schemas only: neither database checks them). */
  enum?: string[];
}

interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** By name: `unique` and the columns in order (primary keys apart). */
  indexes: Record<string, string>;
  /** `columns -> table(columns) on delete action`, sorted. */
  foreignKeys: string[];
  /** Trigger names (databases only). */
  triggers?: string[];
}

type Shape = Record<string, TableShape>;

/** PostgreSQL's type names, by the SQLite type holding the same values. */
const PG_TYPES: Record<string, string> = {
  text: 'text', bigint: 'integer', bigserial: 'integer', 'double precision': 'real', bytea: 'blob',
};

const indexText = (unique: boolean, columns: readonly string[]) => `${unique ? 'unique ' : ''}(${columns.join(', ')})`;
const foreignKeyText = (columns: readonly string[], table: string, to: readonly string[], onDelete: string | undefined) =>
  `(${columns.join(', ')}) -> ${table}(${to.join(', ')}) on delete ${(onDelete ?? 'no action').toLowerCase()}`;
/** `'{}'::text` → `{}`, `'everyone'` → `everyone`, `0` → `0`. */
const defaultText = (value: string | null) => (value === null ? null : value.replace(/::[a-z ]+$/, '').replace(/^'(.*)'$/, '$1'));

// ---- as Drizzle declares them ----

function declaredSqlite(): Shape {
  const shape: Shape = {};
  for (const table of Object.values(sqliteSchema)) {
    if (!is(table, Table)) continue;
    const config = sqliteTableConfig(table as SQLiteTable);
    const t: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
    for (const c of config.columns) {
      const serial = (c as { autoIncrement?: boolean }).autoIncrement === true;
      t.columns[c.name] = {
        type: c.getSQLType(), notNull: c.notNull, default: c.default === undefined ? null : String(c.default), serial,
        ...(c.enumValues && { enum: [...c.enumValues] }),
      };
      if (c.primary) t.primaryKey = [c.name];
      if (c.isUnique) t.indexes[c.uniqueName!] = indexText(true, [c.name]);
    }
    for (const key of config.primaryKeys) t.primaryKey = key.columns.map((c) => c.name);
    for (const index of config.indexes) {
      t.indexes[index.config.name] = indexText(index.config.unique, index.config.columns.map((c) => (c as { name: string }).name));
    }
    for (const key of config.foreignKeys) {
      const ref = key.reference();
      t.foreignKeys.push(foreignKeyText(ref.columns.map((c) => c.name), sqliteTableConfig(ref.foreignTable).name,
        ref.foreignColumns.map((c) => c.name), key.onDelete));
    }
    t.foreignKeys.sort();
    shape[config.name] = t;
  }
  return shape;
}

function declaredPg(): Shape {
  const shape: Shape = {};
  for (const table of Object.values(pgSchema)) {
    if (!is(table, Table)) continue;
    const config = pgTableConfig(table as PgTable);
    const t: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] };
    for (const c of config.columns) {
      const sqlType = c.getSQLType();
      t.columns[c.name] = {
        type: PG_TYPES[sqlType] ?? `pg:${sqlType}`, notNull: c.notNull, default: c.default === undefined ? null : String(c.default),
        serial: sqlType === 'bigserial', ...(c.enumValues && { enum: [...c.enumValues] }),
      };
      if (c.primary) t.primaryKey = [c.name];
      if (c.isUnique) t.indexes[c.uniqueName!] = indexText(true, [c.name]);
    }
    for (const key of config.primaryKeys) t.primaryKey = key.columns.map((c) => c.name);
    for (const index of config.indexes) {
      t.indexes[index.config.name!] = indexText(index.config.unique, index.config.columns.map((c) => (c as { name: string }).name));
    }
    for (const key of config.foreignKeys) {
      const ref = key.reference();
      t.foreignKeys.push(foreignKeyText(ref.columns.map((c) => c.name), pgTableConfig(ref.foreignTable).name,
        ref.foreignColumns.map((c) => c.name), key.onDelete));
    }
    t.foreignKeys.sort();
    shape[config.name] = t;
  }
  return shape;
}

/** The declared schema as its migrated database can show it: no enums, no triggers. */
const withoutEnums = (shape: Shape): Shape => Object.fromEntries(Object.entries(shape).map(([name, t]) => [name, {
  ...t, columns: Object.fromEntries(Object.entries(t.columns).map(([c, { enum: _, ...column }]) => [c, column])),
}]));

// ---- as the migrations build them ----

function migratedSqlite(sqlite: Database.Database): Shape {
  const shape: Shape = {};
  const tables = sqlite.prepare("select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations' order by name")
    .all() as Array<{ name: string; sql: string }>;
  for (const { name, sql } of tables) {
    const t: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [], triggers: [] };
    const columns = sqlite.pragma(`table_info(${JSON.stringify(name)})`) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
    for (const c of columns) {
      // An INTEGER PRIMARY KEY is NOT NULL whatever it declares (it is the rowid).
      const rowid = c.pk === 1 && c.type.toLowerCase() === 'integer' && columns.filter((o) => o.pk > 0).length === 1;
      t.columns[c.name] = {
        type: c.type.toLowerCase(), notNull: c.notnull === 1 || rowid, default: defaultText(c.dflt_value),
        serial: rowid && /\bautoincrement\b/i.test(sql),
      };
    }
    t.primaryKey = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    for (const index of sqlite.pragma(`index_list(${JSON.stringify(name)})`) as Array<{ name: string; unique: number; origin: string }>) {
      if (index.origin === 'pk') continue;
      const columns = (sqlite.pragma(`index_info(${JSON.stringify(index.name)})`) as Array<{ seqno: number; name: string }>)
        .sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
      t.indexes[index.name] = indexText(index.unique === 1, columns);
    }
    const keys = sqlite.pragma(`foreign_key_list(${JSON.stringify(name)})`) as Array<{ id: number; seq: number; table: string; from: string; to: string; on_delete: string }>;
    for (const id of new Set(keys.map((k) => k.id))) {
      const parts = keys.filter((k) => k.id === id).sort((a, b) => a.seq - b.seq);
      t.foreignKeys.push(foreignKeyText(parts.map((k) => k.from), parts[0]!.table, parts.map((k) => k.to), parts[0]!.on_delete));
    }
    t.foreignKeys.sort();
    t.triggers = (sqlite.prepare("select name from sqlite_master where type = 'trigger' and tbl_name = ? order by name").all(name) as Array<{ name: string }>)
      .map((r) => r.name);
    shape[name] = t;
  }
  return shape;
}

async function migratedPg(client: pg.ClientBase): Promise<Shape> {
  const shape: Shape = {};
  const { rows: tables } = await client.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1");
  for (const { name } of tables) {
    const t: TableShape = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [], triggers: [] };
    const { rows: columns } = await client.query<{ name: string; type: string; nullable: string; dflt: string | null }>(
      `select column_name as name, data_type as type, is_nullable as nullable, column_default as dflt
       from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`, [name]);
    for (const c of columns) {
      const serial = c.dflt?.startsWith('nextval(') ?? false;
      t.columns[c.name] = {
        type: PG_TYPES[c.type] ?? `pg:${c.type}`, notNull: c.nullable === 'NO', default: serial ? null : defaultText(c.dflt), serial,
      };
    }
    const { rows: indexes } = await client.query<{ name: string; unique: boolean; primary: boolean; columns: string[] }>(
      `select i.relname as name, x.indisunique as unique, x.indisprimary as primary,
         array(select a.attname from unnest(x.indkey) with ordinality k(attnum, n)
               join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum order by k.n)::text[] as columns
       from pg_index x join pg_class i on i.oid = x.indexrelid
       where x.indrelid = ('public.' || quote_ident($1))::regclass`, [name]);
    for (const index of indexes) {
      if (index.primary) t.primaryKey = index.columns;
      else t.indexes[index.name] = indexText(index.unique, index.columns);
    }
    const { rows: keys } = await client.query<{ columns: string[]; table: string; to: string[]; action: string }>(
      `select array(select a.attname from unnest(c.conkey) with ordinality k(attnum, n)
                    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.n)::text[] as columns,
              f.relname as table,
              array(select a.attname from unnest(c.confkey) with ordinality k(attnum, n)
                    join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.n)::text[] as to,
              c.confdeltype as action
       from pg_constraint c join pg_class f on f.oid = c.confrelid
       where c.contype = 'f' and c.conrelid = ('public.' || quote_ident($1))::regclass`, [name]);
    const actions: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
    t.foreignKeys = keys.map((k) => foreignKeyText(k.columns, k.table, k.to, actions[k.action])).sort();
    const { rows: triggers } = await client.query<{ name: string }>(
      `select tgname as name from pg_trigger where not tgisinternal and tgrelid = ('public.' || quote_ident($1))::regclass order by 1`, [name]);
    t.triggers = triggers.map((r) => r.name);
    shape[name] = t;
  }
  return shape;
}

// ---- the comparison ----

/** Every difference between two shapes, one line each (empty when they agree). */
function drift(a: Shape, b: Shape, [nameA, nameB]: [string, string]): string[] {
  const out: string[] = [];
  const keys = (x: object, y: object) => [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
  for (const table of keys(a, b)) {
    const ta = a[table];
    const tb = b[table];
    if (!ta || !tb) {
      out.push(`table ${table}: only in ${ta ? nameA : nameB}`);
      continue;
    }
    for (const column of keys(ta.columns, tb.columns)) {
      const ca = ta.columns[column];
      const cb = tb.columns[column];
      if (!ca || !cb) out.push(`${table}.${column}: only in ${ca ? nameA : nameB}`);
      else if (JSON.stringify(ca) !== JSON.stringify(cb)) out.push(`${table}.${column}: ${nameA} ${JSON.stringify(ca)}, ${nameB} ${JSON.stringify(cb)}`);
    }
    if (ta.primaryKey.join() !== tb.primaryKey.join()) out.push(`${table} primary key: ${nameA} (${ta.primaryKey}), ${nameB} (${tb.primaryKey})`);
    for (const index of keys(ta.indexes, tb.indexes)) {
      if (ta.indexes[index] !== tb.indexes[index]) out.push(`${table} index ${index}: ${nameA} ${ta.indexes[index] ?? 'none'}, ${nameB} ${tb.indexes[index] ?? 'none'}`);
    }
    if (ta.foreignKeys.join('; ') !== tb.foreignKeys.join('; ')) {
      out.push(`${table} foreign keys: ${nameA} [${ta.foreignKeys.join('; ')}], ${nameB} [${tb.foreignKeys.join('; ')}]`);
    }
    if ((ta.triggers ?? []).join() !== (tb.triggers ?? []).join()) out.push(`${table} triggers: ${nameA} [${ta.triggers}], ${nameB} [${tb.triggers}]`);
  }
  return out;
}

describe('the SQLite and PostgreSQL schemas', () => {
  let database: TestDatabase;
  let sqlite: Database.Database;
  let pgClient: pg.Client;

  beforeAll(async () => {
    sqlite = openDatabase(':memory:').$client;
    database = await createTestDatabase();
    const db = await openPgDatabase(database.url);
    await db.$client.end();
    pgClient = new pg.Client({ connectionString: database.url });
    await pgClient.connect();
  });

  afterAll(async () => {
    sqlite?.close();
    await pgClient?.end();
    await database?.drop();
  });

  it('declare the same tables, columns, keys and indexes', () => {
    const declared = declaredSqlite();
    expect(Object.keys(declared).length).toBeGreaterThan(10);
    expect(drift(declared, declaredPg(), ['db/schema.ts', 'db/pg/schema.ts'])).toEqual([]);
  });

  it('are what their migrations build, and the two migrated databases agree', async () => {
    const sqliteDb = migratedSqlite(sqlite);
    const pgDb = await migratedPg(pgClient);
    expect(drift(sqliteDb, pgDb, ['SQLite migrated', 'PostgreSQL migrated'])).toEqual([]);
    // Each declared schema is what its own migrations made (triggers are the migrations' alone).
    const noTriggers = (shape: Shape): Shape => Object.fromEntries(Object.entries(shape).map(([n, { triggers: _, ...t }]) => [n, t]));
    expect(drift(withoutEnums(declaredSqlite()), noTriggers(sqliteDb), ['db/schema.ts', 'db/migrations'])).toEqual([]);
    expect(drift(withoutEnums(declaredPg()), noTriggers(pgDb), ['db/pg/schema.ts', 'db/pg/migrations'])).toEqual([]);
    // The row-count and anchors triggers (migrations only, not declared) are on both.
    expect(sqliteDb.rows?.triggers).toEqual(['rows_anchors_delete', 'rows_anchors_insert', 'rows_anchors_update', 'rows_count_delete', 'rows_count_insert']);
  });

  it('tell a column, an index or a key one side lacks', async () => {
    // The comparison itself: the same migrated database with one change on purpose, each found.
    const copy = new Database(sqlite.serialize());
    try {
      copy.exec('ALTER TABLE users ADD COLUMN nickname text');
      copy.exec('CREATE INDEX sources_title ON sources (title)');
      copy.exec('DROP INDEX releases_rank');
      copy.exec('CREATE INDEX releases_rank ON releases (rank, dataset_id)');
      copy.exec('DROP TRIGGER rows_count_delete');
      expect(drift(migratedSqlite(copy), await migratedPg(pgClient), ['SQLite', 'PostgreSQL'])).toEqual([
        'releases index releases_rank: SQLite (rank, dataset_id), PostgreSQL (dataset_id, rank)',
        'rows triggers: SQLite [rows_anchors_delete,rows_anchors_insert,rows_anchors_update,rows_count_insert], '
          + 'PostgreSQL [rows_anchors_delete,rows_anchors_insert,rows_anchors_update,rows_count_delete,rows_count_insert]',
        'sources index sources_title: SQLite (title), PostgreSQL none',
        'users.nickname: only in SQLite',
      ]);
    } finally {
      copy.close();
    }
  });
});
