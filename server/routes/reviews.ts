/** Review: flags with comments, resolving, approving, the dataset's review settings. */
import { Hono } from 'hono';
import { ulid } from 'ulid';
import type * as Y from 'yjs';
import { getSheet, readColumns, sheetRows } from '../../model/document';
import { CommentBody, NewFlagBody, ResolveFlagBody, SettingsPatch } from '../../model/http';
import { addComment, addFlag, allFlags, findFlag, openFlagCount, resolveFlag, setReviewStatus } from '../../model/reviews';
import { assertRole, type AuthEnv } from '../auth/middleware';
import type { Services } from '../context';
import { datasetSettings, getDataset, rowInfo, updateSettings } from '../datasets';
import { badRequest, conflict, notFound } from '../errors';
import { progress } from '../progress';
import { readBody } from '../validate';

/** The flag with this id and its row, or 404. */
function requireFlag(doc: Y.Doc, flagId: string) {
  const found = findFlag(doc, flagId);
  if (!found) throw notFound(`No flag "${flagId}"`);
  return found;
}

export function reviewRoutes({ db, registry }: Services) {
  return new Hono<AuthEnv>()
    .get('/:id/flags', (c) => {
      const id = c.req.param('id');
      getDataset(db, id);
      const { status, reason, sheet, row, by } = c.req.query();
      const flags = registry.with(id, (doc) => doc.read(allFlags)).filter((f) =>
        (!status || f.status === status) && (!reason || f.reason === reason) && (!sheet || f.sheet === sheet)
        && (!row || f.row === row) && (!by || f.by === by));
      return c.json(flags);
    })
    .post('/:id/flags', async (c) => {
      const user = c.get('user');
      assertRole(user, 'reviewer');
      const id = c.req.param('id');
      const { flagReasons } = datasetSettings(db, id);
      const body = await readBody(c, NewFlagBody);
      if (!flagReasons.includes(body.reason)) {
        throw badRequest(`reason "${body.reason}" is not one of this dataset's flag reasons: ${flagReasons.join(', ')}`);
      }
      const flag = {
        id: ulid(), sheet: body.sheet, column: body.column ?? null, reason: body.reason, note: body.note ?? '',
        by: user.name, at: new Date().toISOString(),
      };
      registry.with(id, (shared) => shared.transact({ userId: user.id }, (doc) => {
        const sheet = getSheet(doc, body.sheet);
        if (!sheet) throw notFound(`No sheet "${body.sheet}"`);
        if (!sheetRows(sheet).has(body.row)) throw notFound(`No row "${body.row}" in sheet "${body.sheet}"`);
        if (flag.column !== null && !readColumns(sheet).some((col) => col.id === flag.column)) {
          throw badRequest(`No column "${flag.column}" in sheet "${body.sheet}"`);
        }
        addFlag(doc, body.row, flag);
      }));
      return c.json({ ...flag, row: body.row, status: 'open' }, 201);
    })
    .post('/:id/flags/:flagId/resolve', async (c) => {
      const user = c.get('user');
      assertRole(user, 'reviewer');
      const id = c.req.param('id');
      getDataset(db, id);
      const { resolution } = await readBody(c, ResolveFlagBody);
      const resolved = registry.with(id, (shared) => shared.transact({ userId: user.id }, (doc) => {
        const found = requireFlag(doc, c.req.param('flagId'));
        if (found.flag.get('status') !== 'open') throw conflict('This flag is resolved already');
        resolveFlag(doc, found.rowId, found.flag, user.name, new Date().toISOString(), resolution);
        return { ...found.flag.toJSON(), row: found.rowId };
      }));
      return c.json(resolved);
    })
    .post('/:id/flags/:flagId/comments', async (c) => {
      const user = c.get('user');
      assertRole(user, 'reviewer');
      const id = c.req.param('id');
      getDataset(db, id);
      const { text } = await readBody(c, CommentBody);
      const comment = { id: ulid(), by: user.name, at: new Date().toISOString(), text };
      registry.with(id, (shared) => shared.transact({ userId: user.id }, (doc) => {
        addComment(requireFlag(doc, c.req.param('flagId')).flag, comment);
      }));
      return c.json(comment, 201);
    })
    .post('/:id/rows/:rowId/approve', (c) => {
      const user = c.get('user');
      assertRole(user, 'reviewer');
      const id = c.req.param('id');
      const rowId = c.req.param('rowId');
      const { fourEyes } = datasetSettings(db, id);
      registry.with(id, (shared) => {
        shared.flush(); // the read model must know who changed the row last
        const row = rowInfo(db, id, rowId);
        if (!row) throw notFound(`No row "${rowId}"`);
        const open = shared.read((doc) => openFlagCount(doc, rowId));
        if (open > 0) throw conflict(`This row has ${open} open flag${open === 1 ? '' : 's'}: resolve them first`);
        if (fourEyes && row.updatedBy === user.id) {
          throw conflict('You were the last to change this row: someone else must approve it (four eyes)');
        }
        shared.transact({ userId: user.id }, (doc) => setReviewStatus(doc, rowId, 'approved'));
      });
      return c.json({ row: rowId, status: 'approved' });
    })
    .get('/:id/progress', (c) => c.json(progress(db, c.req.param('id'))))
    .get('/:id/settings', (c) => c.json(datasetSettings(db, c.req.param('id'))))
    .patch('/:id/settings', async (c) => {
      assertRole(c.get('user'), 'admin');
      const id = c.req.param('id');
      getDataset(db, id);
      return c.json(updateSettings(db, id, await readBody(c, SettingsPatch)));
    });
}
