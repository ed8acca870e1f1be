/** Review routes of a dataset: flags with comments, resolving, approving. The rules are in `review/`. */
import { Hono } from 'hono';
import { BulkApproveBody, CommentBody, NewFlagBody, ResolveFlagBody } from '../../model/http';
import type { Services } from '../context';
import { AppError } from '../errors';
import { readBody } from '../validate';
import { type DatasetEnv, requireRole, storeApplied } from './dataset-scope';

export function reviewRoutes({ review, registry }: Services) {
  // Reads of the read model first store what this instance has applied, so that a client that has
  // seen a change (and asks because of it) finds it in the answer.
  const stored = storeApplied(registry);
  return new Hono<DatasetEnv>()
    .get('/flags', stored, async (c) => {
      const { status, reason, sheet, row, by } = c.req.query();
      return c.json(await review.flags(c.get('dataset').id, { status, reason, sheet, row, by }));
    })
    .post('/flags', async (c) => {
      requireRole(c, 'reviewer');
      const flag = await review.addFlag(c.get('dataset'), c.get('user'), await readBody(c, NewFlagBody));
      return c.json(flag, 201);
    })
    .post('/flags/:flagId/resolve', async (c) => {
      requireRole(c, 'reviewer');
      const { resolution } = await readBody(c, ResolveFlagBody);
      return c.json(await review.resolve(c.get('dataset'), c.get('user'), c.req.param('flagId'), resolution));
    })
    .post('/flags/:flagId/comments', async (c) => {
      requireRole(c, 'reviewer');
      const { text, fixed } = await readBody(c, CommentBody);
      return c.json(await review.comment(c.get('dataset'), c.get('user'), c.req.param('flagId'), text, fixed), 201);
    })
    .get('/rows/:rowId/review', async (c) => c.json(await review.row(c.get('dataset'), c.get('user'), c.get('role'), c.req.param('rowId'))))
    .get('/rows/:rowId/timeline', stored, async (c) => c.json(await review.timeline(c.get('dataset').id, c.req.param('rowId'))))
    .post('/rows/:rowId/approve', async (c) => {
      requireRole(c, 'reviewer');
      const rowId = c.req.param('rowId');
      const { refused } = await review.approve(c.get('dataset'), c.get('user'), [rowId]);
      const refusal = refused[0];
      if (refusal) throw new AppError(refusal.code, refusal.message);
      return c.json({ row: rowId, status: 'approved' });
    })
    .post('/approve', async (c) => {
      requireRole(c, 'reviewer');
      const { rows } = await readBody(c, BulkApproveBody);
      return c.json(await review.approve(c.get('dataset'), c.get('user'), rows));
    });
}
