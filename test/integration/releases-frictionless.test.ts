/**
 * A release read by a standard Frictionless reader (Frictionless JS, `datapackage`): every resource of
 * the demo's release (events, statements, a sheet of every column type, sources, evidence) reads with
 * its values cast under the declared types, formats and constraints, and the cast values are the data:
 * times to the millisecond, numbers, booleans, partial dates, codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Anchor, Column } from '../../model/columns';
import { insertRow } from '../../model/document';
import { newRowId } from '../../model/ids';
import { api, connectSynced, type Client } from '../helpers/clients';
import { sheetOf } from '../helpers/docs';
import { readPackageZip } from '../helpers/frictionless';
import { startServer, type RunningServer } from '../helpers/server';
import { waitForValue } from '../helpers/eventually';
import { waitFor } from '../helpers/wait';

// A reader far from UTC: the times cast must still be the same instants.
process.env.TZ = 'Asia/Hong_Kong';

let server: RunningServer;
let writer: Client;

beforeAll(async () => {
  server = await startServer();
  writer = await connectSynced(server, 'demo');
});

afterAll(async () => {
  writer?.destroy();
  await server?.dispose();
});

/** A column of every type the grid has, beside the demo's own sheets. */
const KINDS: Column[] = [
  { id: 'label', name: 'Label', type: 'text', required: true },
  { id: 'note', name: 'Note', type: 'longtext' },
  { id: 'amount', name: 'Amount', type: 'number' },
  { id: 'count', name: 'Count', type: 'integer' },
  { id: 'when', name: 'When', type: 'date' },
  { id: 'tone', name: 'Tone', type: 'enum', options: ['pos', 'neg'] },
  { id: 'tags', name: 'Tags', type: 'multi', options: ['a', 'b', 'c'] },
  { id: 'sure', name: 'Sure', type: 'boolean' },
  { id: 'link', name: 'Link', type: 'url' },
  { id: 'event', name: 'Event', type: 'ref', ref: 'events' },
  { id: 'evidence', name: 'Evidence', type: 'evidence' },
  { id: 'place', name: 'Place', type: 'place' },
];

const exported = async (sheet: string) => (await api(server, `/api/datasets/demo/sheets/${sheet}/export?format=json`)).body.rows as Array<Record<string, unknown>>;

describe('a release read by Frictionless JS', () => {
  it('reads every resource with its values cast under the declared types and formats', async () => {
    const created = await api(server, '/api/datasets/demo/sheets', { body: { id: 'kinds', name: 'Kinds', columns: KINDS } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const events = await exported('events');
    const anchored = events.find((r) => Array.isArray(r.evidence) && r.evidence.length > 0)!;
    const anchor = (anchored.evidence as Anchor[])[0]!;
    await waitFor(() => writer.doc.getMap('sheets').has('kinds'), { what: 'the new sheet in the document' });
    const kinds = sheetOf(writer.doc, 'kinds');
    const rows = [newRowId(), newRowId(), newRowId()].sort();
    writer.doc.transact(() => {
      insertRow(kinds, rows[0]!, {
        label: 'full', note: 'two\nlines, "quoted"', amount: 3.25, count: 42, when: '2024-02-22', tone: 'pos', tags: ['a', 'c'],
        sure: true, link: 'https://www.scmp.com/news', event: anchored.row_id as string, evidence: [anchor],
        place: { name: 'São Paulo', country: 'BRA', lat: -23.5475, lon: -46.63611, precision: 1, geonameid: 3448439 },
      });
      insertRow(kinds, rows[1]!, {
        label: 'month', amount: -0.000125, count: -7, when: '2024-02', tone: 'neg', tags: ['b'], sure: false,
        place: { name: 'South Korea', country: 'KOR', lat: null, lon: null, precision: 4, geonameid: null },
      });
      insertRow(kinds, rows[2]!, { label: 'year', amount: 1e21, count: 0, when: '2024' });
    });
    const kindRows = await waitForValue(async () => {
      const stored = await exported('kinds');
      return stored.length === 3 && stored;
    }, { what: 'the new rows in the read model' });

    const made = await api(server, '/api/datasets/demo/releases', { body: { notes: 'read by Frictionless' } });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const zip = await fetch(`${server.url}/api/datasets/demo/releases/${made.body.version}/package.zip`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    const read = await readPackageZip(new Uint8Array(await zip.arrayBuffer()), { relations: true });
    expect(read.errors).toEqual([]);
    expect(read.valid).toBe(true);
    expect(read.failures).toEqual({});
    expect(Object.keys(read.rows)).toEqual(['events', 'statements', 'actors', 'kinds', 'sources', 'evidence']);

    const statements = await exported('statements');
    // Every row of every sheet, and the times cast to the same instant, milliseconds included.
    for (const [sheet, expected] of [['events', events], ['statements', statements], ['kinds', kindRows]] as const) {
      const got = read.rows[sheet]!;
      expect(got.map((r) => r.row_id), sheet).toEqual(expected.map((r) => r.row_id));
      for (const [i, row] of got.entries()) {
        for (const at of ['created_at', 'updated_at'] as const) {
          expect(row[at], `${sheet} ${at}`).toBeInstanceOf(Date);
          expect((row[at] as Date).toISOString()).toBe(expected[i]![at]);
        }
        expect(row.review_status).toBe(expected[i]!.review_status);
        expect(row.open_flags).toBe(0);
      }
    }
    expect(events.some((r) => !String(r.created_at).endsWith('.000Z')), 'the demo has times with milliseconds').toBe(true);

    // The demo's own values: an enum, a partial or full date, a multi cell, a reference.
    const first = read.rows.events!.find((r) => r.row_id === events[0]!.row_id)!;
    expect(first.event_type).toBe(events[0]!.event_type);
    expect(first.event_date).toBe(events[0]!.event_date);
    // With relations read, a foreign key's value is the row it names.
    const linked = statements.find((r) => r.event_id !== null)!;
    expect(read.rows.statements!.find((r) => r.row_id === linked.row_id)!.event_id).toMatchObject({ row_id: linked.event_id });

    // Every column type, as written.
    const [full, month, year] = read.rows.kinds!;
    expect(full).toMatchObject({
      label: 'full', note: 'two\nlines, "quoted"', amount: 3.25, count: 42, when: '2024-02-22', tone: 'pos', tags: 'a; c',
      sure: true, link: 'https://www.scmp.com/news', event: { row_id: anchored.row_id }, evidence: `${anchor.source}:${anchor.start}-${anchor.end}`,
    });
    expect(month).toMatchObject({ label: 'month', note: null, amount: -0.000125, count: -7, when: '2024-02', tone: 'neg', tags: 'b', sure: false, link: null });
    // A place is its name and its parts, each cast: numbers, integers, empty where unknown.
    expect(full).toMatchObject({ place: 'São Paulo', place_country: 'BRA', place_lat: -23.5475, place_lon: -46.63611, place_precision: 1, place_geonameid: 3448439 });
    expect(month).toMatchObject({ place: 'South Korea', place_country: 'KOR', place_lat: null, place_lon: null, place_precision: 4, place_geonameid: null });
    expect(year).toMatchObject({ place: null, place_country: null, place_lat: null, place_precision: null, place_geonameid: null });
    expect(year).toMatchObject({ label: 'year', amount: 1e21, count: 0, when: '2024', tone: null, tags: null, sure: null, event: null, evidence: null });

    // Sources and the evidence crosswalk: integers for offsets.
    const sources = (await api(server, '/api/datasets/demo/sources')).body as Array<{ id: string; sha256: string }>;
    expect(read.rows.sources!.map((s) => [s.id, s.sha256])).toEqual(sources.map((s) => [s.id, s.sha256]));
    const crosswalk = (await api(server, '/api/datasets/demo/evidence/export?format=json')).body as Array<Record<string, unknown>>;
    expect(read.rows.evidence).toHaveLength(crosswalk.length);
    expect(read.rows.evidence!.find((e) => e.row_id === rows[0])).toMatchObject({ sheet: 'kinds', row_id: rows[0], source_id: { id: anchor.source }, start: anchor.start, end: anchor.end, exact: anchor.exact });
  });
});
