/** Flags, approval and concurrent-edit conflicts (docs/review.md). */
import { z } from 'zod';
import {
  BulkApproveBody, BulkApproveResponse, CommentBody, CommentCreated, Conflict, ConflictList, FlagCreated, FlagList, FlagWithThread, NewFlagBody,
  ResolveConflictBody, ResolveFlagBody, RowApproved, RowReview, Timeline,
} from '../http';
import { CONFLICT_STATUSES } from '../conflicts';
import { routes } from './route';

export const reviewRoutes = routes({
  'GET /api/datasets/{id}/flags': {
    summary: 'Flags with their rows, comments and who coded each row',
    who: 'dataset viewer',
    query: z.object({
      status: z.string().optional(), reason: z.string().optional(), sheet: z.string().optional(), row: z.string().optional(), by: z.string().optional(),
    }),
    responses: { 200: FlagList },
  },
  'POST /api/datasets/{id}/flags': {
    summary: 'Flags a row (or one of its cells); the row becomes `flagged`',
    who: 'dataset reviewer',
    body: NewFlagBody,
    responses: { 201: FlagCreated },
  },
  'POST /api/datasets/{id}/flags/{flagId}/comments': {
    summary: 'Adds to a flag\'s thread; `fixed: true` marks the flag fixed',
    who: 'dataset reviewer',
    body: CommentBody,
    responses: { 201: CommentCreated },
  },
  'POST /api/datasets/{id}/flags/{flagId}/resolve': {
    summary: 'Resolves a flag; 409 if already resolved; 403 for whoever changed the row since',
    who: 'dataset reviewer',
    body: ResolveFlagBody,
    responses: { 200: FlagWithThread },
  },
  'GET /api/datasets/{id}/rows/{rowId}/review': {
    summary: 'A row\'s review state for the signed-in user, and whether they may approve it',
    who: 'dataset viewer',
    responses: { 200: RowReview },
  },
  'GET /api/datasets/{id}/rows/{rowId}/timeline': {
    summary: 'A row\'s story, oldest first: cell changes beside the steps of its review',
    who: 'dataset viewer',
    responses: { 200: Timeline },
  },
  'POST /api/datasets/{id}/rows/{rowId}/approve': {
    summary: 'Approves a row; 409 while it has open flags, or for anyone who changed it (four eyes)',
    who: 'dataset reviewer',
    responses: { 200: RowApproved },
  },
  'POST /api/datasets/{id}/approve': {
    summary: 'Approves many rows by the same rules: each approved or refused with the reason',
    who: 'dataset reviewer',
    body: BulkApproveBody,
    responses: { 200: BulkApproveResponse },
  },
  'GET /api/datasets/{id}/conflicts': {
    summary: 'Cells two people changed without seeing each other\'s change, oldest first',
    who: 'dataset viewer',
    query: z.object({ status: z.enum(CONFLICT_STATUSES).optional() }),
    responses: { 200: ConflictList },
  },
  'POST /api/datasets/{id}/conflicts/{conflictId}/resolve': {
    summary: 'Closes a conflict: `kept` leaves the cell, `lost` writes the lost value into it',
    who: 'dataset editor',
    body: ResolveConflictBody,
    responses: { 200: Conflict },
  },
});
