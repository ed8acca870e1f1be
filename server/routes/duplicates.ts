/**
 * `…/sheets/:sheetId/duplicates`: the groups of rows that likely code the same event (viewer), merging rows
 * into one, taking one's merge back and dismissing a group (editor). The rules are in `duplicates/`; docs/actors-and-duplicates.md
 * describes them for users.
 */
import { Hono } from 'hono';
import { DismissBody, MAX_DUPLICATE_DAYS, MergeBody } from '../../model/http';
import type { Duplicates } from '../duplicates/duplicates';
import type { RowsMerge } from '../duplicates/merge-rows';
import { badRequest } from '../errors';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole } from './dataset-scope';

/** Days apart two dates of one event may be when the query does not say. */
const DEFAULT_DAYS = 1;
/** Rows whose cells one request reads. */
const MAX_SHOWN_ROWS = 200;

export function duplicateRoutes(duplicates: Duplicates, rowsMerge: RowsMerge) {
  return new Hono<DatasetEnv>()
    .get('/sheets/:sheetId/duplicates', async (c) => {
      const raw = c.req.query('days');
      if (raw !== undefined && !/^\d{1,3}$/.test(raw)) throw badRequest(`days is a whole number of days, 0 to ${MAX_DUPLICATE_DAYS} (got "${raw}")`);
      const days = raw === undefined ? DEFAULT_DAYS : Number(raw);
      if (days > MAX_DUPLICATE_DAYS) throw badRequest(`days is at most ${MAX_DUPLICATE_DAYS}`);
      return c.json(await duplicates.list(c.get('dataset'), c.req.param('sheetId'), days));
    })
    .post('/sheets/:sheetId/duplicates/merge', async (c) => {
      requireRole(c, 'editor');
      const { keep, merge } = await readBody(c, MergeBody);
      const dataset = c.get('dataset');
      // A dataset whose rows are documents of their own merges through the rows' rooms.
      const merger = dataset.layout === 'rows' ? rowsMerge : duplicates;
      return c.json(await merger.merge(dataset, c.get('user'), c.req.param('sheetId'), keep, merge));
    })
    .post('/sheets/:sheetId/duplicates/unmerge', async (c) => {
      requireRole(c, 'editor');
      const { keep, merge } = await readBody(c, MergeBody);
      const dataset = c.get('dataset');
      // The merging user's undo of their merge, in either layout (docs/actors-and-duplicates.md#undoing-a-merge).
      const merger = dataset.layout === 'rows' ? rowsMerge : duplicates;
      return c.json(await merger.unmerge(dataset, c.get('user'), c.req.param('sheetId'), keep, merge));
    })
    .get('/sheets/:sheetId/duplicates/rows', async (c) => {
      // The cells of a few rows, for the groups shown side by side where rows are not in the browser.
      const ids = c.req.queries('row') ?? [];
      if (ids.length > MAX_SHOWN_ROWS) throw badRequest(`at most ${MAX_SHOWN_ROWS} rows at once`);
      return c.json(await rowsMerge.cells(c.get('dataset'), c.req.param('sheetId'), ids));
    })
    .post('/sheets/:sheetId/duplicates/dismiss', async (c) => {
      requireRole(c, 'editor');
      const { rows } = await readBody(c, DismissBody);
      return c.json(await duplicates.dismiss(c.get('dataset'), c.get('user'), c.req.param('sheetId'), rows));
    });
}
