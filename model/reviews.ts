/**
 * The `reviews` root of a dataset's document: per row a review status and its flags. The server is
 * its only writer; these functions are what it writes with, and what clients read with.
 */
import * as Y from 'yjs';
import { type Flag, getReviews, type ReviewStatus } from './document';

export interface FlagComment {
  id: string;
  by: string;
  at: string;
  text: string;
  /** `fixed`: the coder says the row is fixed and asks the reviewer to look again. */
  kind?: 'fixed';
}

export type YFlag = Y.Map<unknown>;

/** The most rows one bulk approval may name. */
export const MAX_BULK_APPROVE = 1000;

function reviewOf(doc: Y.Doc, rowId: string): Y.Map<unknown> {
  const reviews = getReviews(doc);
  let review = reviews.get(rowId);
  if (!review) {
    review = new Y.Map<unknown>();
    review.set('status', 'unreviewed');
    review.set('flags', new Y.Array<YFlag>());
    reviews.set(rowId, review);
  }
  return review;
}

function flagsOf(review: Y.Map<unknown>): Y.Array<YFlag> {
  return review.get('flags') as Y.Array<YFlag>;
}

export function setReviewStatus(doc: Y.Doc, rowId: string, status: ReviewStatus): void {
  reviewOf(doc, rowId).set('status', status);
}

/** Adds an open flag to a row and marks the row flagged. */
export function addFlag(doc: Y.Doc, rowId: string, flag: Omit<Flag, 'status'>): void {
  const review = reviewOf(doc, rowId);
  const yflag = new Y.Map<unknown>();
  for (const [key, value] of Object.entries({ ...flag, status: 'open' })) if (value !== undefined) yflag.set(key, value);
  yflag.set('comments', new Y.Array<FlagComment>());
  flagsOf(review).push([yflag]);
  review.set('status', 'flagged');
}

/**
 * A flag given as plain data (as `toJSON` or the read model gives one) as the document holds it, the way
 * `addFlag` and `resolveFlag` write it: `column` null for a row's flag, resolution fields only once
 * resolved, its thread an array. The read model's `row` is left out.
 */
export function flagMap(plain: object): YFlag {
  const flag = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(plain)) {
    if (key === 'row' || key === 'comments') continue;
    if (key === 'column' || (value !== undefined && value !== null)) flag.set(key, value ?? null);
  }
  const comments = (plain as { comments?: unknown }).comments;
  const thread = new Y.Array<FlagComment>();
  if (Array.isArray(comments)) thread.push((comments as FlagComment[]).map((c) => ({ ...c })));
  flag.set('comments', thread);
  return flag;
}

/** A row's review as the document holds it: a status, and flags given as plain data (`flagMap`). */
export function reviewMap(status: ReviewStatus, flags: readonly object[]): Y.Map<unknown> {
  const review = new Y.Map<unknown>();
  review.set('status', status);
  const list = new Y.Array<YFlag>();
  list.push(flags.map(flagMap));
  review.set('flags', list);
  return review;
}

/**
 * Writes a row's whole review as plain data (a status and its flags with their threads) in place of
 * what the document had for it: a row's document takes over a review kept elsewhere before, and a
 * grid's own copy of the reviews it was sent.
 */
export function putReview(doc: Y.Doc, rowId: string, review: { status: ReviewStatus; flags: readonly FlagRecord[] }): void {
  getReviews(doc).set(rowId, reviewMap(review.status, review.flags));
}

/** Finds a flag by id anywhere in the document. */
export function findFlag(doc: Y.Doc, flagId: string): { rowId: string; flag: YFlag } | undefined {
  for (const [rowId, review] of getReviews(doc)) {
    const flags = review.get('flags');
    if (!(flags instanceof Y.Array)) continue;
    for (const flag of flags as Y.Array<YFlag>) if (flag.get('id') === flagId) return { rowId, flag };
  }
  return undefined;
}

export function openFlagCount(doc: Y.Doc, rowId: string): number {
  const flags = getReviews(doc).get(rowId)?.get('flags');
  if (!(flags instanceof Y.Array)) return 0;
  return (flags as Y.Array<YFlag>).toArray().filter((f) => f.get('status') === 'open').length;
}

/** Resolves a flag; a row with no open flag left goes back to `unreviewed`. */
export function resolveFlag(doc: Y.Doc, rowId: string, flag: YFlag, by: string, at: string, resolution?: string): void {
  flag.set('status', 'resolved');
  flag.set('resolvedBy', by);
  flag.set('resolvedAt', at);
  if (resolution) flag.set('resolution', resolution);
  if (openFlagCount(doc, rowId) === 0) setReviewStatus(doc, rowId, 'unreviewed');
}

export function addComment(flag: YFlag, comment: FlagComment): void {
  let comments = flag.get('comments');
  if (!(comments instanceof Y.Array)) {
    comments = new Y.Array<FlagComment>();
    flag.set('comments', comments);
  }
  (comments as Y.Array<FlagComment>).push([comment]);
}

/** A flag as plain data, with its row and its thread. */
export type FlagRecord = Flag & { row: string; comments: FlagComment[] };

/** The flags of one row as plain data, oldest first. */
export function rowFlagRecords(doc: Y.Doc, rowId: string): FlagRecord[] {
  const flags = getReviews(doc).get(rowId)?.get('flags');
  if (!(flags instanceof Y.Array)) return [];
  return (flags as Y.Array<YFlag>).toArray().map((flag) => {
    const plain = flag.toJSON() as Flag & { comments?: FlagComment[] };
    return { ...plain, row: rowId, comments: plain.comments ?? [] };
  });
}

