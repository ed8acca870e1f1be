import { describe, expect, it } from 'vitest';
import {
  BulkApproveBody, CommentBody, FlagList, NewDatasetBody, NewFlagBody, NewUserBody, SettingsPatch,
} from './http';
import { MAX_BULK_APPROVE } from './reviews';

const issue = (result: { success: boolean; error?: { issues: Array<{ message: string }> } }) => result.error?.issues[0]?.message;

describe('the request bodies of the HTTP API', () => {
  it('takes a dataset id only when it follows the dataset id rule, and says the rule otherwise', () => {
    expect(NewDatasetBody.parse({ name: ' Korea ', id: 'korea-2024' })).toEqual({ name: 'Korea', id: 'korea-2024', template: 'events-statements', layout: 'document' });
    expect(NewDatasetBody.parse({ name: 'Big', layout: 'rows' })).toMatchObject({ layout: 'rows' });
    expect(NewDatasetBody.safeParse({ name: 'Big', layout: 'blocks' }).success).toBe(false);
    for (const id of ['Korea', '-korea', 'ko_rea', 'k'.repeat(64)]) {
      expect(issue(NewDatasetBody.safeParse({ name: 'Korea', id }))).toMatch(/lowercase letters, digits and dashes/);
    }
    expect(NewDatasetBody.safeParse({ name: 'Korea', template: 'nope' }).success).toBe(false);
  });

  it('asks for 1 to 1000 valid row ids in a bulk approval', () => {
    expect(BulkApproveBody.parse({ rows: ['01HQ7Z', 'row_1-b'] }).rows).toHaveLength(2);
    expect(BulkApproveBody.safeParse({ rows: [] }).success).toBe(false);
    expect(BulkApproveBody.safeParse({ rows: Array.from({ length: MAX_BULK_APPROVE }, (_, i) => `r${i}`) }).success).toBe(true);
    expect(BulkApproveBody.safeParse({ rows: Array.from({ length: MAX_BULK_APPROVE + 1 }, (_, i) => `r${i}`) }).success).toBe(false);
    expect(BulkApproveBody.safeParse({ rows: ['a b'] }).success).toBe(false);
  });

  it('flags a whole row when the column is null or left out, and limits the note', () => {
    expect(NewFlagBody.parse({ sheet: 'events', row: 'r1', reason: 'duplicate' }).column).toBeUndefined();
    expect(NewFlagBody.parse({ sheet: 'events', row: 'r1', column: null, reason: 'duplicate' }).column).toBeNull();
    expect(NewFlagBody.safeParse({ sheet: 'events', row: 'r1', reason: 'duplicate', note: 'x'.repeat(5001) }).success).toBe(false);
  });

  it('refuses an empty comment, a short password and reason codes that are not codes', () => {
    expect(issue(CommentBody.safeParse({ text: '   ' }))).toBe('a comment needs text');
    expect(issue(NewUserBody.safeParse({ name: 'ana', role: 'editor', password: 'short' }))).toMatch(/at least 8/);
    expect(SettingsPatch.safeParse({ flagReasons: ['Wrong date'] }).success).toBe(false);
    expect(SettingsPatch.parse({ flagReasons: ['wrong_date'], fourEyes: false })).toEqual({ flagReasons: ['wrong_date'], fourEyes: false });
  });
});

describe('the responses of the HTTP API', () => {
  const flag = {
    id: 'f1', sheet: 'events', column: null, reason: 'duplicate', note: '', by: 'rita', at: '2024-02-22T10:00:00Z',
    status: 'open', row: 'r1', comments: [],
  };

  it("reads a flags list with or without the rows' coders", () => {
    expect(FlagList.parse([flag])[0]!.coders).toBeUndefined();
    expect(FlagList.parse([{ ...flag, coders: ['ana'], lastChangedBy: null }])[0]).toMatchObject({ coders: ['ana'], lastChangedBy: null });
    expect(FlagList.safeParse([{ ...flag, status: 'closed' }]).success).toBe(false);
  });
});
