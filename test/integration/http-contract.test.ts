/**
 * The server's answers match the HTTP contract's response schemas (model/http.ts), so the types the
 * client derives from them are true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as http from '../../model/http';
import { api } from '../helpers/clients';
import { type RunningServer, startServer } from '../helpers/server';

describe('the HTTP contract', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.dispose();
  });

  async function expectShape(schema: z.ZodType, path: string, init: Parameters<typeof api>[2] = {}, status = 200) {
    const response = await api(server, path, init);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    const parsed = schema.safeParse(response.body);
    expect(parsed.success, parsed.error?.message).toBe(true);
    return response.body;
  }

  it('answers every route of users, datasets, history and review with its schema', async () => {
    await expectShape(http.User, '/api/me');
    const rita = await expectShape(http.NewUserResponse, '/api/users', { body: { name: 'rita', role: 'reviewer' } }, 201);
    await expectShape(http.UserList, '/api/users');
    await expectShape(http.DatasetCreated, '/api/datasets', { body: { name: 'Contract', id: 'contract', template: 'blank' } }, 201);
    await expectShape(http.DatasetList, '/api/datasets');
    const demo = await expectShape(http.DatasetDetail, '/api/datasets/demo');
    // A row of the first sheet (the demo's history also has its actor list's rows).
    const sheetOfRows = demo.sheets[0].id as string;
    const row = ((await api(server, '/api/datasets/demo/history')).body as Array<{ sheet: string; row: string }>).find((h) => h.sheet === sheetOfRows)!.row;
    await expectShape(http.History, `/api/datasets/demo/history?row=${row}`);
    await expectShape(http.DatasetSettings, '/api/datasets/demo/settings');
    await expectShape(http.DatasetSettings, '/api/datasets/demo/settings', { method: 'PATCH', body: { fourEyes: true } });
    await expectShape(http.Progress, '/api/datasets/demo/progress');

    const sheet = sheetOfRows;
    const flag = await expectShape(http.FlagCreated, '/api/datasets/demo/flags', {
      token: rita.token, body: { sheet, row, reason: 'duplicate', note: 'same as the row above' },
    }, 201);
    await expectShape(http.CommentCreated, `/api/datasets/demo/flags/${flag.id}/comments`, { token: rita.token, body: { text: 'why?' } }, 201);
    const fixed = await expectShape(http.CommentCreated, `/api/datasets/demo/flags/${flag.id}/comments`, { body: { text: 'done', fixed: true } }, 201);
    expect(fixed.kind).toBe('fixed');
    await expectShape(http.FlagList, '/api/datasets/demo/flags');
    const refused = await expectShape(http.RowReview, `/api/datasets/demo/rows/${row}/review`, { token: rita.token });
    expect(refused).toMatchObject({ row, sheet, status: 'flagged', openFlags: 1, canApprove: false, approveRefusal: expect.stringMatching(/open flag/) });
    await expectShape(http.FlagWithThread, `/api/datasets/demo/flags/${flag.id}/resolve`, { token: rita.token, body: {} });
    await expectShape(http.RowApproved, `/api/datasets/demo/rows/${row}/approve`, { token: rita.token, method: 'POST' });
    // Nobody has changed the row since it was approved: its coder too may approve it again.
    const approved = await expectShape(http.RowReview, `/api/datasets/demo/rows/${row}/review`);
    expect(approved).toMatchObject({ status: 'approved', canApprove: true, sinceApproval: [], coders: ['admin'] });
    const timeline = await expectShape(http.Timeline, `/api/datasets/demo/rows/${row}/timeline`);
    expect((timeline as http.Timeline).map((e) => e.kind).filter((k) => k !== 'cell')).toEqual(['flagged', 'answered', 'fixed', 'resolved', 'approved']);
  });
});
