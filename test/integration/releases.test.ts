/**
 * Codebook and releases (docs/releases.md): version rules, who may release, the package's
 * datapackage.json checked against the CSVs it describes, approved-only releases, exact diffs, and
 * release bytes that never change, whatever is edited later and across a restart.
 */
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column } from '../../model/columns';
import { Codebook, Release, ReleaseDiff, ReleaseList, ReleasePreview } from '../../model/http';
import { deleteRow, insertRow, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { buildApp, type App } from '../helpers/app';
import { createDataset, createUser } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { restartServer } from '../helpers/lifecycle';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';
import { placeColumnIds } from '../../model/places';

type Files = Record<string, string>;
type Field = { name: string; type: string; title?: string; description?: string; constraints?: Record<string, unknown> };
type Resource = {
  name: string; path: string; profile: string; format: string; encoding: string;
  schema: { fields: Field[]; missingValues: string[]; primaryKey?: string[]; foreignKeys?: Array<{ fields: string[]; reference: { resource: string; fields: string[] } }> };
};
type Descriptor = { profile: string; name: string; title: string; version: string; created: string; description?: string; resources: Resource[] };

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const unzip = (bytes: Uint8Array): Files => Object.fromEntries(Object.entries(unzipSync(bytes)).map(([k, v]) => [k, strFromU8(v)]));
const records = (csv: string): string[][] => parse(csv, { relax_quotes: false }) as string[][];

/** The Table Schema type each column type is written as (the package's documented choice). */
const TABLE_TYPE: Record<Column['type'], string> = {
  text: 'string', longtext: 'string', number: 'number', integer: 'integer', date: 'string', enum: 'string',
  multi: 'string', boolean: 'boolean', url: 'string', ref: 'string', evidence: 'string', place: 'string',
};
const TABLE_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'date', 'time', 'datetime', 'year', 'yearmonth', 'duration', 'geopoint', 'geojson', 'any']);
const CONSTRAINTS = new Set(['required', 'unique', 'minLength', 'maxLength', 'minimum', 'maximum', 'pattern', 'enum']);

/**
 * Checks a package against the Data Package / Table Schema rules that frictionless relies on when it
 * reads one (Python's `frictionless` is not installed here): names, paths, fields matching each CSV's
 * header in order, every value castable to its field's type and within its constraints, primary keys
 * unique, foreign keys pointing at existing rows. Returns what is wrong, empty when nothing is.
 */
function tableSchemaProblems(descriptor: Descriptor, files: Files): string[] {
  const problems: string[] = [];
  const NAME = /^[a-z0-9._-]+$/;
  if (descriptor.profile !== 'tabular-data-package') problems.push('profile');
  if (!NAME.test(descriptor.name)) problems.push(`package name ${descriptor.name}`);
  if (Number.isNaN(Date.parse(descriptor.created))) problems.push('created');
  const names = descriptor.resources.map((r) => r.name);
  if (new Set(names).size !== names.length) problems.push('resource names repeat');
  const tables = new Map<string, { header: string[]; rows: string[][] }>();
  for (const resource of descriptor.resources) {
    const where = `resource ${resource.name}`;
    if (!NAME.test(resource.name)) problems.push(`${where}: name`);
    if (resource.profile !== 'tabular-data-resource' || resource.format !== 'csv' || resource.encoding !== 'utf-8') problems.push(`${where}: profile/format/encoding`);
    const text = files[resource.path];
    if (text === undefined) {
      problems.push(`${where}: no file ${resource.path}`);
      continue;
    }
    const [header = [], ...rows] = records(text);
    tables.set(resource.name, { header, rows });
    const fields = resource.schema.fields;
    if (JSON.stringify(fields.map((f) => f.name)) !== JSON.stringify(header)) problems.push(`${where}: fields ${fields.map((f) => f.name)} ≠ header ${header}`);
    for (const [i, field] of fields.entries()) {
      if (!TABLE_TYPES.has(field.type)) problems.push(`${where}.${field.name}: type ${field.type}`);
      for (const key of Object.keys(field.constraints ?? {})) if (!CONSTRAINTS.has(key)) problems.push(`${where}.${field.name}: constraint ${key}`);
      const c = field.constraints ?? {};
      if (c.enum !== undefined && (!Array.isArray(c.enum) || c.enum.length === 0 || !c.enum.every((v) => typeof v === 'string'))) problems.push(`${where}.${field.name}: enum`);
      const seen = new Set<string>();
      for (const [n, row] of rows.entries()) {
        const value = row[i] ?? '';
        const at = `${where} line ${n + 2} ${field.name}="${value}"`;
        if (resource.schema.missingValues.includes(value)) {
          if (c.required) problems.push(`${at}: required`);
          continue;
        }
        const castable = {
          string: true, integer: /^-?\d+$/.test(value), number: value.trim() !== '' && Number.isFinite(Number(value)),
          boolean: ['true', 'false'].includes(value), datetime: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value),
        }[field.type as 'string'];
        if (!castable) problems.push(`${at}: not ${field.type}`);
        if (Array.isArray(c.enum) && !c.enum.includes(value)) problems.push(`${at}: not in enum`);
        // Table Schema patterns match the whole value.
        if (typeof c.pattern === 'string' && !new RegExp(`^(?:${c.pattern})$`).test(value)) problems.push(`${at}: pattern`);
        if (c.unique && seen.has(value)) problems.push(`${at}: not unique`);
        seen.add(value);
      }
    }
  }
  for (const resource of descriptor.resources) {
    const table = tables.get(resource.name);
    if (!table) continue;
    const column = (t: { header: string[]; rows: string[][] }, name: string) => t.rows.map((r) => r[t.header.indexOf(name)] ?? '');
    for (const key of resource.schema.primaryKey ?? []) {
      if (!table.header.includes(key)) problems.push(`${resource.name}: primary key ${key} is no field`);
      const values = column(table, key);
      if (new Set(values).size !== values.length || values.includes('')) problems.push(`${resource.name}: primary key ${key} not unique`);
    }
    for (const fk of resource.schema.foreignKeys ?? []) {
      const target = tables.get(fk.reference.resource);
      if (!target) {
        problems.push(`${resource.name}: foreign key to unknown resource ${fk.reference.resource}`);
        continue;
      }
      const known = new Set(column(target, fk.reference.fields[0]!));
      for (const value of column(table, fk.fields[0]!)) if (value !== '' && !known.has(value)) problems.push(`${resource.name}.${fk.fields[0]}: ${value} not in ${fk.reference.resource}`);
    }
  }
  return problems;
}

describe('codebook and releases, in-process', () => {
  let app: App;
  beforeAll(async () => {
    app = await buildApp();
  });
  afterAll(() => app.close());

  const download = async (dataset: string, version: string, token = app.adminToken) => {
    const res = await app.app.request(`/api/datasets/${dataset}/releases/${version}/package.zip`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
  };
  const text = async (path: string) => {
    const res = await app.app.request(path, { headers: { authorization: `Bearer ${app.adminToken}` } });
    expect(res.status, path).toBe(200);
    return res.text();
  };

  it('keeps optionLabels and descriptions of columns, and the codebook lists codes with labels and the rows holding them', async () => {
    const columns = [
      { id: 'tone', name: 'Tone', type: 'enum', options: ['pos', 'neg', 'neu'], optionLabels: { pos: 'Positive', neg: 'Negative' }, description: 'The tone | of it' },
      { id: 'tags', name: 'Tags', type: 'multi', options: ['a', 'b'], optionLabels: { a: 'Alpha' } },
    ];
    const created = await app.call('/api/datasets/demo/sheets', { body: { id: 'tones', name: 'Tones', columns } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.columns).toEqual(columns);

    const book = await app.call('/api/datasets/demo/codebook');
    expect(book.status).toBe(200);
    Codebook.parse(book.body);
    const tones = book.body.sheets.find((s: { id: string }) => s.id === 'tones');
    expect(tones.columns[0]).toEqual({
      id: 'tone', name: 'Tone', type: 'enum', required: false, description: 'The tone | of it', ref: null, filled: 0,
      codes: [{ code: 'pos', label: 'Positive', count: 0 }, { code: 'neg', label: 'Negative', count: 0 }, { code: 'neu', label: null, count: 0 }],
      unlisted: [],
    });

    // Counts agree with the rows the export gives, code by code; a multi cell counts once per code it holds.
    const exported = JSON.parse(await text('/api/datasets/demo/sheets/events/export?format=json')) as { rows: Array<Record<string, unknown>> };
    const events = book.body.sheets.find((s: { id: string }) => s.id === 'events');
    expect(events.rows).toBe(exported.rows.length);
    for (const id of ['event_type', 'context', 'date_precision']) {
      const column = events.columns.find((c: { id: string }) => c.id === id);
      expect(column.codes.length).toBeGreaterThan(0);
      for (const { code, count } of column.codes) {
        expect(count, `${id} ${code}`).toBe(exported.rows.filter((r) => (Array.isArray(r[id]) ? (r[id] as string[]).includes(code) : r[id] === code)).length);
      }
      expect(column.codes.reduce((n: number, c: { count: number }) => n + c.count, 0)).toBeGreaterThan(0);
    }
    const summary = events.columns.find((c: { id: string }) => c.id === 'summary');
    expect(summary).toMatchObject({ type: 'longtext', required: true, filled: exported.rows.length, codes: [] });
    // The demo's actor columns name its actor list.
    expect(events.columns.find((c: { id: string }) => c.id === 'actor1')).toMatchObject({ type: 'text', actors: 'actors' });
    expect(await text('/api/datasets/demo/codebook?format=md')).toContain('Names actors of the actor list in sheet `actors` by their `name`');

    const md = await text('/api/datasets/demo/codebook?format=md');
    expect(md).toContain('# Codebook: ');
    expect(md).toContain('| `event_type` | Event type | enum | yes |');
    expect(md).toContain('| `pos` | Positive | 0 |');
    expect(md).toContain('The tone \\| of it'); // a pipe in a description does not break the table
    const agree = events.columns.find((c: { id: string }) => c.id === 'event_type').codes.find((c: { code: string }) => c.code === 'AGREE');
    expect(md).toContain(`| \`AGREE\` |  | ${agree.count} |`);
    expect((await app.call('/api/datasets/demo/codebook?format=pdf')).status).toBe(400);
  });

  it('numbers releases: 1.0 first, then the next minor; 409 for a version that exists or is not above the last', async () => {
    await app.call('/api/datasets', { body: { id: 'versions', name: 'Versions' } });
    const make = (body: unknown) => app.call('/api/datasets/versions/releases', { body });
    const first = await make({});
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ version: '1.0', createdBy: 'admin', rows: { events: 0, statements: 0 }, notes: '', rowFilter: 'all' });
    Release.parse(first.body);
    expect(first.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(first.body.createdAt)).not.toBeNaN();
    expect((await make({ notes: 'Second' })).body.version).toBe('1.1');
    expect((await make({ version: '1.9' })).status).toBe(201);
    expect((await make({})).body.version).toBe('1.10'); // versions compare as numbers
    expect((await make({ version: '3.0' })).status).toBe(201);

    const exists = await make({ version: '3.0' });
    expect(exists.status).toBe(409);
    expect(exists.body.error.code).toBe('conflict');
    const below = await make({ version: '2.5' });
    expect(below.status).toBe(409);
    expect(below.body.error.message).toContain('3.0');
    for (const version of ['1', '1.01', 'v2.0', '2.0.0', '']) expect((await make({ version })).status, version).toBe(400);
    expect((await make({ rows: 'flagged' })).status).toBe(400);

    const list = await app.call('/api/datasets/versions/releases');
    expect(list.body.map((r: { version: string }) => r.version)).toEqual(['1.0', '1.1', '1.9', '1.10', '3.0']);
    expect(list.body[1]).toEqual({ ...list.body[1], notes: 'Second', createdBy: 'admin' });
    ReleaseList.parse(list.body);
    expect((await make({})).body.version).toBe('3.1');
    // Requests at the same time are made one after another, so the rules hold between them too. Which of
    // two concurrent requests the server takes first is its choice (on PostgreSQL each passes awaits
    // before it reaches the release queue), so the checks hold for either order.
    const [a, b] = await Promise.all([make({}), make({})]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.version, b.body.version].sort()).toEqual(['3.2', '3.3']);
    const [high, low] = await Promise.all([make({ version: '4.5' }), make({ version: '4.2' })]);
    expect(high.status).toBe(201);
    const changelog = async (version: string) => (await app.app.request(`/api/datasets/versions/releases/${version}/CHANGELOG.md`, {
      headers: { authorization: `Bearer ${app.adminToken}` },
    })).text();
    if (low.status === 201) {
      // 4.2 was made first: then 4.5, above it, was made after it and compares with it.
      expect(await changelog('4.5')).toContain('Changes since 4.2 ');
    } else {
      // 4.5 was made first: 4.2 is below it and refused.
      expect(low.status).toBe(409);
      expect(await changelog('4.5')).toContain('Changes since 3.3 ');
    }
    expect((await app.call('/api/datasets/versions/releases/9.9/package.zip')).status).toBe(404);

    // Deleting the dataset deletes its releases: a new dataset with the same id starts again at 1.0.
    expect((await app.call('/api/datasets/versions', { method: 'DELETE', body: { confirm: 'versions' } })).status).toBe(200);
    await app.call('/api/datasets', { body: { id: 'versions', name: 'Versions again' } });
    expect((await app.call('/api/datasets/versions/releases')).body).toEqual([]);
    expect((await make({})).body.version).toBe('1.0');
  });

  it('lets only dataset admins make releases; everyone who may read the dataset lists and downloads them', async () => {
    await app.call('/api/datasets', { body: { id: 'perm', name: 'Permissions' } });
    const editor = await app.user('rel-editor', 'editor');
    const viewer = await app.user('rel-viewer', 'viewer');
    for (const { token } of [editor, viewer]) {
      const refused = await app.call('/api/datasets/perm/releases', { body: {}, token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    expect((await app.call('/api/datasets/perm/releases')).body).toEqual([]);
    const made = await app.call('/api/datasets/perm/releases', { body: {} });
    expect(made.status).toBe(201);
    expect((await app.call('/api/datasets/perm/releases', { token: viewer.token })).body).toHaveLength(1);
    const got = await download('perm', '1.0', viewer.token);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/zip');
    expect(sha256(got.bytes)).toBe(made.body.sha256);

    // A member with the admin role on a members-only dataset releases it, though only an editor elsewhere.
    expect((await app.call('/api/datasets/perm', { method: 'PATCH', body: { access: 'members' } })).status).toBe(200);
    expect((await app.call('/api/datasets/perm/members/rel-editor', { method: 'PUT', body: { role: 'admin' } })).status).toBe(200);
    expect((await app.call('/api/datasets/perm/releases', { body: {}, token: editor.token })).status).toBe(201);
    expect((await app.call('/api/datasets/perm/releases', { token: viewer.token })).status).toBe(404);
  });

  it('packages a Frictionless Data Package whose datapackage.json describes each CSV field by field', async () => {
    // The demo's rows, sources and anchors, copied by releasing the demo itself.
    const made = await app.call('/api/datasets/demo/releases', { body: { notes: 'Coded from the SCMP article' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const zip = await download('demo', made.body.version);
    expect(sha256(zip.bytes)).toBe(made.body.sha256);
    const files = unzip(zip.bytes);
    expect(Object.keys(files)).toEqual(['datapackage.json', 'data/events.csv', 'data/statements.csv', 'data/actors.csv', 'data/tones.csv',
      'data/sources.csv', 'data/evidence.csv', 'codebook.md', 'CHANGELOG.md']);
    const descriptor = JSON.parse(files['datapackage.json']!) as Descriptor;
    expect(descriptor).toMatchObject({ profile: 'tabular-data-package', name: 'demo', version: made.body.version, created: made.body.createdAt, description: 'Coded from the SCMP article' });
    expect(tableSchemaProblems(descriptor, files)).toEqual([]);

    const dataset = (await app.call('/api/datasets/demo')).body as { name: string; sheets: Array<{ id: string; columns: Column[] }> };
    expect(descriptor.title).toBe(dataset.name);
    expect(descriptor.resources.map((r) => r.name)).toEqual([...dataset.sheets.map((s) => s.id), 'sources', 'evidence']);
    for (const sheet of dataset.sheets) {
      const resource = descriptor.resources.find((r) => r.name === sheet.id)!;
      expect(resource.path).toBe(`data/${sheet.id}.csv`);
      // The CSV is the sheet's export (docs/export.md) with excel_safe=0, byte for byte.
      expect(files[resource.path]).toBe(await text(`/api/datasets/demo/sheets/${sheet.id}/export?excel_safe=0`));
      const fields = resource.schema.fields;
      // A place column is its name and then its parts (docs/places.md).
      expect(fields.map((f) => f.name)).toEqual(['row_id', ...sheet.columns.flatMap((c) => (c.type === 'place' ? placeColumnIds(c.id) : [c.id])),
        'review_status', 'open_flags', 'created_by', 'created_at', 'updated_by', 'updated_at']);
      expect(resource.schema.primaryKey).toEqual(['row_id']);
      for (const column of sheet.columns) {
        const field = fields.find((f) => f.name === column.id)!;
        expect(field.type, column.id).toBe(TABLE_TYPE[column.type]);
        expect(field.title).toBe(column.name);
        expect(field.constraints?.required ?? false, column.id).toBe(column.required === true);
        if (column.type === 'enum') expect(field.constraints?.enum, column.id).toEqual(column.options);
        else expect(field.constraints?.enum, column.id).toBeUndefined();
        if (column.type === 'date') expect(field.constraints?.pattern).toBe('^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$');
        if (column.type === 'multi') expect(field.description).toContain('"; "');
      }
      const refs = sheet.columns.filter((c) => c.type === 'ref');
      expect(resource.schema.foreignKeys ?? []).toEqual(refs.map((c) => ({ fields: [c.id], reference: { resource: c.ref, fields: ['row_id'] } })));
    }
    // The statements' event_id is a foreign key into events, and the demo's statements use it.
    expect(descriptor.resources.find((r) => r.name === 'statements')!.schema.foreignKeys).toEqual([{ fields: ['event_id'], reference: { resource: 'events', fields: ['row_id'] } }]);
    expect(records(files['data/statements.csv']!).slice(1).some((r) => r[12] !== '')).toBe(true);

    expect(files['data/sources.csv']).toBe(await text('/api/datasets/demo/sources/export?excel_safe=0'));
    expect(files['data/evidence.csv']).toBe(await text('/api/datasets/demo/evidence/export?excel_safe=0'));
    const evidence = descriptor.resources.find((r) => r.name === 'evidence')!;
    expect(evidence.schema.foreignKeys).toEqual([{ fields: ['source_id'], reference: { resource: 'sources', fields: ['id'] } }]);
    expect(descriptor.resources.find((r) => r.name === 'sources')!.schema.primaryKey).toEqual(['id']);

    // The codebook inside is the dataset's, with the notes on reading partial dates and multi codes.
    expect(files['codebook.md']).toContain(`Release ${made.body.version}`);
    expect(files['codebook.md']).toContain('`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`');
    expect(files['codebook.md']).toContain('| `pos` | Positive | 0 |');
    expect(files['CHANGELOG.md']).toContain(`# Changelog: ${dataset.name} ${made.body.version}`);
  });

  it('makes an approved-only release of the approved rows, their evidence and the counts of them', async () => {
    const reviewer = await app.user('rel-reviewer', 'reviewer');
    const events = JSON.parse(await text('/api/datasets/demo/sheets/events/export?format=json')) as { rows: Array<{ row_id: string }> };
    const approved = [events.rows[0]!.row_id, events.rows[2]!.row_id];
    for (const row of approved) expect((await app.call(`/api/datasets/demo/rows/${row}/approve`, { method: 'POST', token: reviewer.token })).status).toBe(200);

    const made = await app.call('/api/datasets/demo/releases', { body: { rows: 'approved' } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ rowFilter: 'approved', rows: { events: 2, statements: 0, tones: 0 } });
    const files = unzip((await download('demo', made.body.version)).bytes);
    expect(files['data/events.csv']).toBe(await text('/api/datasets/demo/sheets/events/export?excel_safe=0&rows=approved'));
    expect(records(files['data/events.csv']!).slice(1).map((r) => r[0])).toEqual(approved);
    const anchored = records(files['data/evidence.csv']!).slice(1);
    expect(anchored.length).toBeGreaterThan(0);
    expect(anchored.every(([sheet, row]) => sheet === 'events' && approved.includes(row!))).toBe(true);
    expect(tableSchemaProblems(JSON.parse(files['datapackage.json']!) as Descriptor, files)).toEqual([]);
    expect(files['CHANGELOG.md']).toContain('with approved rows only');
  });
});

describe('releases with a real server and stock clients', () => {
  let server: RunningServer;
  let writer: Client;
  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, 'rel');
    writer = await connectSynced(server, 'rel');
  });
  afterAll(async () => {
    writer?.destroy();
    await server.dispose();
  });

  const downloadFrom = async (s: RunningServer, version: string) => {
    const res = await fetch(`${s.url}/api/datasets/rel/releases/${version}/package.zip`, { headers: { authorization: `Bearer ${s.adminToken}` } });
    expect(res.status).toBe(200);
    return new Uint8Array(await res.arrayBuffer());
  };
  /** Waits until the server's read model (what releases are made from) holds these event rows. */
  const eventsStored = (rows: string[]) => waitFor(async () => {
    const { body } = await api(server, '/api/datasets/rel/sheets/events/export?format=json');
    expect(body.rows.map((r: { row_id: string }) => r.row_id)).toEqual([...rows].sort());
    return body.rows as Array<Record<string, unknown>>;
  }, { what: 'the edits in the read model' });

  it('diffs releases exactly: rows added, removed, and each changed cell with its old and new value', async () => {
    const events = sheetOf(writer.doc, 'events');
    const [kept, changed, removed] = [newRowId(), newRowId(), newRowId()];
    writer.doc.transact(() => {
      insertRow(events, kept, { actor1: 'China', event_type: 'AGREE', context: ['diplomatic'] });
      insertRow(events, changed, { actor1: 'United States', event_type: 'CONSULT', cameo_code: '036' });
      insertRow(events, removed, { actor1: 'to be removed' });
    });
    await eventsStored([kept, changed, removed]);
    const first = await api(server, '/api/datasets/rel/releases', { body: { notes: 'first' } });
    expect(first.status).toBe(201);
    expect(first.body.rows).toEqual({ events: 3, statements: 0 });

    const added = newRowId();
    writer.doc.transact(() => {
      setCell(events, changed, 'event_type', 'AGREE');
      setCell(events, changed, 'context', ['diplomatic', 'future']);
      setCell(events, changed, 'cameo_code', null);
      deleteRow(events, removed);
      insertRow(events, added, { actor1: '김정은 / 金正恩' });
    });
    await eventsStored([kept, changed, added]);
    const second = await api(server, '/api/datasets/rel/releases', { body: {} });
    expect(second.status).toBe(201);
    expect(second.body.version).toBe('1.1');

    const diff = await api(server, '/api/datasets/rel/releases/1.1/diff?from=1.0');
    expect(diff.status).toBe(200);
    ReleaseDiff.parse(diff.body);
    const byColumn = (a: { column: string }, b: { column: string }) => (a.column < b.column ? -1 : 1);
    expect(diff.body.sheets.statements).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.body.sheets.events.added).toEqual([added]);
    expect(diff.body.sheets.events.removed).toEqual([removed]);
    expect([...diff.body.sheets.events.changed].sort(byColumn)).toEqual([
      { row: changed, column: 'cameo_code', old: '036', new: null },
      { row: changed, column: 'context', old: null, new: ['diplomatic', 'future'] },
      { row: changed, column: 'event_type', old: 'CONSULT', new: 'AGREE' },
    ]);
    // Backwards, the same changes the other way round.
    const back = await api(server, '/api/datasets/rel/releases/1.0/diff?from=1.1');
    expect(back.body.sheets.events.added).toEqual([removed]);
    expect(back.body.sheets.events.removed).toEqual([added]);
    expect(back.body.sheets.events.changed.find((c: { column: string }) => c.column === 'event_type')).toEqual({ row: changed, column: 'event_type', old: 'AGREE', new: 'CONSULT' });
    expect((await api(server, '/api/datasets/rel/releases/1.1/diff')).status).toBe(400);
    expect((await api(server, '/api/datasets/rel/releases/1.1/diff?from=0.9')).status).toBe(404);

    // The changelog of 1.1 names the same rows, and the column change an admin makes next shows in 1.2's.
    const changelog = unzip(await downloadFrom(server, '1.1'))['CHANGELOG.md']!;
    expect(changelog).toContain('Changes since 1.0');
    expect(changelog).toContain(`- Rows added (1): \`${added}\``);
    expect(changelog).toContain(`- Rows removed (1): \`${removed}\``);
    expect(changelog).toContain(`- Rows changed (1): \`${changed}\` (`);
    const { body: detail } = await api(server, '/api/datasets/rel/sheets', { body: { id: 'notes', name: 'Notes', columns: [{ id: 'note', name: 'Note', type: 'text' }] } });
    expect(detail.id).toBe('notes');
    await waitFor(async () => expect((await api(server, '/api/datasets/rel')).body.sheets.map((s: { id: string }) => s.id)).toContain('notes'));
    const third = await api(server, '/api/datasets/rel/releases', { body: {} });
    const next = unzip(await downloadFrom(server, third.body.version))['CHANGELOG.md']!;
    expect(next).toContain('## Notes (`notes`)');
    expect(next).toContain('A new sheet.');
    expect(next).toContain('- Columns added: `note` (Note, text)');
  });

  it('serves the same package bytes after later edits and after a restart on the same database', async () => {
    const made = await api(server, '/api/datasets/rel/releases', { body: { version: '2.0', notes: 'frozen' } });
    expect(made.status).toBe(201);
    const before = await downloadFrom(server, '2.0');
    expect(sha256(before)).toBe(made.body.sha256);
    const frozen = unzip(before)['data/events.csv']!;

    // Edit the live document: a new row and a changed cell.
    const events = sheetOf(writer.doc, 'events');
    const { body: now } = await api(server, '/api/datasets/rel/sheets/events/export?format=json');
    const ids = now.rows.map((r: { row_id: string }) => r.row_id) as string[];
    const extra = newRowId();
    writer.doc.transact(() => {
      insertRow(events, extra, { actor1: 'after the release' });
      setCell(events, ids[0]!, 'actor1', 'changed after the release');
    });
    const live = await eventsStored([...ids, extra]);
    expect(live.find((r) => r.row_id === ids[0])!.actor1).toBe('changed after the release');

    const after = await downloadFrom(server, '2.0');
    expect(sha256(after)).toBe(made.body.sha256);
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(true);
    expect(unzip(after)['data/events.csv']).toBe(frozen);
    expect(frozen).not.toContain('after the release');

    writer.destroy();
    expect(await server.stop()).toBe(0);
    const again = await restartServer(server);
    try {
      const restarted = await fetch(`${again.url}/api/datasets/rel/releases/2.0/package.zip`, { headers: { authorization: `Bearer ${again.adminToken}` } });
      const bytes = new Uint8Array(await restarted.arrayBuffer());
      expect(Buffer.from(bytes).equals(Buffer.from(before))).toBe(true);
      const listed = await api(again, '/api/datasets/rel/releases');
      expect(listed.body.find((r: { version: string }) => r.version === '2.0')).toEqual(made.body);
    } finally {
      await again.dispose();
    }
  });
});

describe('what a release would carry, before it is made', () => {
  let server: RunningServer;
  let writer: Client;
  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, 'prev');
    writer = await connectSynced(server, 'prev');
  });
  afterAll(async () => {
    writer?.destroy();
    await server.dispose();
  });

  it('counts the open problems by kind and the open flags of the rows a release would take, all or approved', async () => {
    const [good, bad] = [newRowId(), newRowId()].sort();
    const said = newRowId();
    const event = { event_date: '2024-02', date_precision: 'month', actor1: 'China', event_type: 'AGREE', summary: 'Agreed.' };
    writer.doc.transact(() => {
      insertRow(sheetOf(writer.doc, 'events'), good!, event);
      // Actor 1 is required; NOPE is no event type.
      insertRow(sheetOf(writer.doc, 'events'), bad!, { ...event, actor1: null, event_type: 'NOPE' });
      // A direct quote with no passage behind it, about the event that will be flagged.
      insertRow(sheetOf(writer.doc, 'statements'), said, {
        statement_date: '2024-02-22', date_precision: 'day', speaker: 'Liu Xiaoming', quote: 'We agree.', quote_type: 'direct', event_id: good!,
      });
    });
    await waitFor(async () => (await api(server, '/api/datasets/prev/sheets/statements/export?format=json')).body.rows.length === 1, { what: 'the rows stored' });
    const reviewer = await createUser(server, 'prev-reviewer', 'reviewer');
    for (const row of [bad!, said]) expect((await api(server, `/api/datasets/prev/rows/${row}/approve`, { method: 'POST', token: reviewer.token })).status).toBe(200);
    const flagged = await api(server, '/api/datasets/prev/flags', { body: { sheet: 'events', row: good, reason: 'wrong_date' }, token: reviewer.token });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(201);

    const none = { required: 0, type: 0, code: 0, date: 0, url: 0, ref: 0, place: 0, actor: 0, quote_not_in_evidence: 0 };
    const all = await api(server, '/api/datasets/prev/releases/preview?rows=all');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    ReleasePreview.parse(all.body);
    expect(all.body).toMatchObject({
      rowFilter: 'all', rows: { events: 2, statements: 1 }, openFlags: 1,
      problems: { ...none, required: 1, code: 1, quote_not_in_evidence: 1 },
    });
    expect(all.body.sheets).toEqual([
      { id: 'events', name: 'Events', rows: 2, openFlags: 1, problems: { ...none, required: 1, code: 1 } },
      { id: 'statements', name: 'Statements', rows: 1, openFlags: 0, problems: { ...none, quote_not_in_evidence: 1 } },
    ]);
    // The same problems as the grid's: those of every sheet, counted.
    for (const sheet of all.body.sheets as Array<{ id: string; problems: Record<string, number> }>) {
      const listed = (await api(server, `/api/datasets/prev/sheets/${sheet.id}/problems`)).body as Array<{ code: string }>;
      expect(listed.length).toBe(Object.values(sheet.problems).reduce((a, b) => a + b, 0));
      for (const { code } of listed) expect(sheet.problems[code]).toBeGreaterThan(0);
    }

    // Approved rows only: the flagged event stays out, so its flag does, and the statement's event_id
    // names a row the release does not hold.
    const approved = await api(server, '/api/datasets/prev/releases/preview?rows=approved');
    expect(approved.body).toMatchObject({
      rowFilter: 'approved', rows: { events: 1, statements: 1 }, openFlags: 0,
      problems: { ...none, required: 1, code: 1, ref: 1, quote_not_in_evidence: 1 },
    });
    expect((await api(server, '/api/datasets/prev/releases/preview')).body.rowFilter).toBe('all');
    const refused = await api(server, '/api/datasets/prev/releases/preview?rows=flagged');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('bad_request');

    // The release made next holds the rows the preview counted.
    const made = await api(server, '/api/datasets/prev/releases', { body: { rows: 'approved' } });
    expect(made.body.rows).toEqual(approved.body.rows);
  });
});
