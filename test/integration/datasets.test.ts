import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readColumns } from '../../model/document';
import { DATASET_ID } from '../../model/ids';
import { TEMPLATES } from '../../model/templates';
import { api, connectSynced } from '../helpers/clients';
import { rowsOf, sheetOf } from '../helpers/docs';
import { startServer, type RunningServer } from '../helpers/server';

describe('datasets API', () => {
  let server: RunningServer;
  beforeAll(async () => { server = await startServer(); });
  afterAll(async () => { await server.dispose(); });

  it('creates an events-statements dataset by default, with empty sheets, that a client can open at once', async () => {
    const created = await api(server, '/api/datasets', { body: { id: 'korea-2024', name: 'Korea 2024' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: 'korea-2024', name: 'Korea 2024' });

    const { status, body } = await api(server, '/api/datasets/korea-2024');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'korea-2024', name: 'Korea 2024' });
    expect(body.sheets).toEqual(TEMPLATES['events-statements'].map((s) => ({ id: s.id, name: s.name, columns: s.columns, rowCount: 0 })));

    const client = await connectSynced(server, 'korea-2024');
    try {
      expect(readColumns(sheetOf(client.doc, 'events'))).toEqual(TEMPLATES['events-statements'][0].columns);
      expect(rowsOf(client.doc, 'events')).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('creates a blank dataset from the blank template', async () => {
    expect((await api(server, '/api/datasets', { body: { id: 'scratch', name: 'Scratch', template: 'blank' } })).status).toBe(201);
    const { body } = await api(server, '/api/datasets/scratch');
    expect(body.sheets).toEqual(TEMPLATES.blank.map((s) => ({ id: s.id, name: s.name, columns: s.columns, rowCount: 0 })));
  });

  it('makes a valid id from the name when none is given', async () => {
    const { status, body } = await api(server, '/api/datasets', { body: { name: 'Protests in Seoul, 2024 — wave 2' } });
    expect(status).toBe(201);
    expect(body.id).toMatch(DATASET_ID);
    expect((await api(server, `/api/datasets/${body.id}`)).status).toBe(200);
  });

  it('answers an unknown template with 400', async () => {
    const { status, body } = await api(server, '/api/datasets', { body: { id: 'odd', name: 'Odd', template: 'gdelt' } });
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'bad_request' } });
    expect((await api(server, '/api/datasets/odd')).status).toBe(404);
  });

  it('lists every dataset with id and name', async () => {
    const { status, body } = await api(server, '/api/datasets');
    expect(status).toBe(200);
    const ids = (body as Array<{ id: string; name: string }>).map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['demo', 'korea-2024', 'scratch']));
    for (const d of body as Array<{ id: unknown; name: unknown }>) {
      expect(typeof d.id).toBe('string');
      expect(typeof d.name).toBe('string');
    }
  });
});
