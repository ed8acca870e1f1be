import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataset, createUser } from '../helpers/api';
import { api } from '../helpers/clients';
import { csvOf, importFile } from '../helpers/import';
import { startServer, type RunningServer } from '../helpers/server';

const DATASET = 'paged';

/** Events whose columns differ in ways a sort, a filter or a search must tell apart. */
const EVENTS = [
  { actor1: 'beta', event_type: 'AGREE', context: 'political; military', location: 'Seoul', summary: 'Talks resumed', cameo: '036' },
  { actor1: 'Alpha', event_type: 'REJECT', context: 'military', location: 'Pyongyang', summary: '100% rejected', cameo: '' },
  { actor1: 'gamma', event_type: 'AGREE', context: '', location: 'São Paulo', summary: 'under_score and more', cameo: '040' },
  { actor1: '', event_type: 'PROTEST', context: 'political', location: 'Seoul', summary: 'No actor given', cameo: '14' },
  { actor1: 'delta', event_type: 'AGREE', context: 'diplomatic', location: 'Tokyo', summary: 'seoul in lower case', cameo: '043' },
];

interface Page {
  total: number;
  offset: number;
  rows: Array<Record<string, unknown> & { row_id: string; review_status: string }>;
}

describe('GET …/sheets/:sheetId/rows: a sheet by pages', () => {
  let server: RunningServer;
  let viewer: string;
  const rowIds: string[] = [];

  const page = async (query: string, token = viewer): Promise<Page> => {
    const response = await api(server, `/api/datasets/${DATASET}/sheets/events/rows?${query}`, { token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body as Page;
  };
  const summaries = (p: Page) => p.rows.map((r) => r.summary);

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET, 'events-statements');
    viewer = (await createUser(server, 'reader', 'viewer')).token;
    const header = ['event_date', 'date_precision', 'actor1', 'event_type', 'context', 'location', 'summary', 'cameo_code', 'source_excerpt'];
    const records = EVENTS.map((e, i) => [`2024-02-0${i + 1}`, 'day', e.actor1, e.event_type, e.context, e.location, e.summary, e.cameo,
      i === 0 ? 'He said "no comment" \\ twice' : '']);
    const imported = await importFile(server, DATASET, 'events', csvOf([header, ...records]));
    expect(imported.status).toBe(200);
    const all = await page('limit=1000');
    rowIds.push(...all.rows.map((r) => r.row_id));
  });
  afterAll(async () => server?.dispose());

  it('answers the first page in row-id order with the total, every column of the sheet and the review status', async () => {
    const first = await page('limit=2');
    expect(first.total).toBe(EVENTS.length);
    expect(first.offset).toBe(0);
    expect(first.rows.map((r) => r.row_id)).toEqual([...rowIds].sort().slice(0, 2));
    expect(Object.keys(first.rows[0]!)).toEqual(['row_id', 'event_date', 'date_precision', 'actor1', 'actor1_country', 'actor2',
      'actor2_country', 'event_type', 'cameo_code', 'context', 'location', 'country', 'place', 'summary', 'source_url', 'source_excerpt',
      'evidence', 'review_status']);
    expect(first.rows[0]).toMatchObject({ summary: 'Talks resumed', context: ['political', 'military'], cameo_code: '036', actor2: null, review_status: 'unreviewed' });
  });

  it('pages by offset and limit, and cuts a limit over 1,000 to 1,000', async () => {
    const second = await page('offset=2&limit=2');
    expect(second.offset).toBe(2);
    expect(summaries(second)).toEqual(['under_score and more', 'No actor given']);
    expect((await page('offset=4&limit=5000')).rows).toHaveLength(1);
    expect((await page('offset=99')).rows).toEqual([]);
  });

  it('sorts by a text column ignoring case, empty cells last in both directions', async () => {
    expect((await page('sort=actor1')).rows.map((r) => r.actor1)).toEqual(['Alpha', 'beta', 'delta', 'gamma', null]);
    expect((await page('sort=-actor1')).rows.map((r) => r.actor1)).toEqual(['gamma', 'delta', 'beta', 'Alpha', null]);
  });

  it('sorts by a code column and breaks ties by row id', async () => {
    const sorted = await page('sort=event_type');
    expect(sorted.rows.map((r) => r.event_type)).toEqual(['AGREE', 'AGREE', 'AGREE', 'PROTEST', 'REJECT']);
    const agreed = sorted.rows.slice(0, 3).map((r) => r.row_id);
    expect(agreed).toEqual([...agreed].sort());
  });

  it('filters by a code, by a code of a multi column, and by an empty cell; filters combine', async () => {
    expect(summaries(await page('filter[event_type]=AGREE'))).toEqual(['Talks resumed', 'under_score and more', 'seoul in lower case']);
    const military = await page('filter[context]=military');
    expect(military.total).toBe(2);
    expect(summaries(military)).toEqual(['Talks resumed', '100% rejected']);
    expect(summaries(await page('filter[context]='))).toEqual(['under_score and more']);
    expect(summaries(await page('filter[event_type]=AGREE&filter[context]=political'))).toEqual(['Talks resumed']);
    expect((await page('filter[event_type]=SANCTION')).total).toBe(0);
  });

  it('searches the text cells ignoring case, taking % and _ as text, and counts every match', async () => {
    const seoul = await page('q=SEOUL&limit=1');
    expect(seoul.total).toBe(3);
    expect(seoul.rows).toHaveLength(1);
    expect(summaries(await page('q=seoul'))).toEqual(['Talks resumed', 'No actor given', 'seoul in lower case']);
    expect(summaries(await page(`q=${encodeURIComponent('100%')}`))).toEqual(['100% rejected']);
    expect(summaries(await page('q=Talks_resumed'))).toEqual([]);
    expect(summaries(await page('q=under_score'))).toEqual(['under_score and more']);
    expect(summaries(await page(`q=${encodeURIComponent('São')}`))).toEqual(['under_score and more']);
    // Quotes and backslashes are escaped in the stored JSON: the text is still found as written.
    expect(summaries(await page(`q=${encodeURIComponent('said "NO comment"')}`))).toEqual(['Talks resumed']);
    expect(summaries(await page(`q=${encodeURIComponent('" \\ tw')}`))).toEqual(['Talks resumed']);
    expect((await page('q=seoul&filter[event_type]=AGREE&sort=-summary')).rows.map((r) => r.summary)).toEqual(['Talks resumed', 'seoul in lower case']);
  });

  it('filters and sorts by review status', async () => {
    const flagged = rowIds[1]!;
    const flag = await api(server, `/api/datasets/${DATASET}/flags`, { method: 'POST', body: { sheet: 'events', row: flagged, reason: 'other' } });
    expect(flag.status).toBe(201);
    const onlyFlagged = await page('filter[review_status]=flagged');
    expect(onlyFlagged.rows.map((r) => [r.row_id, r.review_status])).toEqual([[flagged, 'flagged']]);
    expect((await page('sort=review_status')).rows[0]!.row_id).toBe(flagged);
    expect((await page('sort=-review_status')).rows.at(-1)!.row_id).toBe(flagged);
  });

  it('shows an edit in the next page asked for', async () => {
    const updated = await importFile(server, DATASET, 'events', csvOf([['row_id', 'actor1'], [rowIds[0]!, 'Aardvark']]), { query: 'key=row_id' });
    expect(updated.status).toBe(200);
    expect((await page('sort=actor1&limit=1')).rows[0]).toMatchObject({ row_id: rowIds[0], actor1: 'Aardvark' });
  });

  it('tells where rows stand in the order a page is asked in, and that a row the query leaves out has no place', async () => {
    const positions = async (query: string, rows: readonly string[]) => {
      const asked = rows.map((r) => `row=${r}`).join('&');
      const response = await api(server, `/api/datasets/${DATASET}/sheets/events/row-positions?${query}&${asked}`, { token: viewer });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return (response.body as { positions: Record<string, number | null> }).positions;
    };
    // Each order's answer is where the rows are on its page.
    for (const query of ['', 'sort=-row_id', 'sort=actor1', 'sort=-actor1', 'sort=event_type', 'q=seoul', 'q=seoul&sort=-summary', 'filter[event_type]=AGREE&sort=location']) {
      const shown = (await page(`${query}&limit=1000`)).rows.map((r) => r.row_id);
      const expected = Object.fromEntries(rowIds.map((r) => [r, shown.includes(r) ? shown.indexOf(r) : null]));
      expect(await positions(query, rowIds), query).toEqual(expected);
    }
    expect(await positions('', ['01NOSUCHROW0000000000000000'])).toEqual({ '01NOSUCHROW0000000000000000': null });
    for (const query of ['', 'row=' + rowIds.join('&row=') + '&row=' + Array.from({ length: 200 }, (_, i) => `r${i}`).join('&row='), `row=${rowIds[0]}&sort=nope`]) {
      const response = await api(server, `/api/datasets/${DATASET}/sheets/events/row-positions?${query}`, { token: viewer });
      expect(response.status, query).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'bad_request' } });
    }
  });

  it('keeps only the rows of the ids asked for, in row-id order, leaving out ids the sheet does not hold', async () => {
    const [a, b, c] = [...rowIds].sort();
    const picked = await page(`id=${c}&id=${a}&id=01NOSUCHROW&id=${c}`);
    expect(picked.total).toBe(2);
    expect(picked.rows.map((r) => r.row_id)).toEqual([a, c]);
    // Narrowed further like any page: by a search, and by a filter.
    const summary = picked.rows[1]!.summary as string;
    expect((await page(`id=${a}&id=${b}&id=${c}&q=${encodeURIComponent(summary)}`)).rows.map((r) => r.row_id)).toEqual([c]);
    expect((await page(`id=${a}&id=${b}&filter[event_type]=NOPE`)).total).toBe(0);
    const many = Array.from({ length: 201 }, (_, i) => `id=R${i}`).join('&');
    for (const query of [many, 'id=bad%20id']) expect((await api(server, `/api/datasets/${DATASET}/sheets/events/rows?${query}`, { token: viewer })).status).toBe(400);
  });

  it('refuses names that are not columns of the sheet, and bad numbers, with the JSON error envelope', async () => {
    for (const query of ['sort=nope', 'sort=-nope', 'filter[nope]=x', 'filter[row_id]=x', 'offset=-1', 'limit=ten', `q=${'x'.repeat(201)}`]) {
      const response = await api(server, `/api/datasets/${DATASET}/sheets/events/rows?${query}`, { token: viewer });
      expect(response.status, query).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'bad_request' } });
    }
    const missing = await api(server, `/api/datasets/${DATASET}/sheets/nosuch/rows`, { token: viewer });
    expect(missing.status).toBe(404);
  });
});
