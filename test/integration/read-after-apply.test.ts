/**
 * A read of the read model (an export, the history and a row's timeline, progress, a release preview) has every change a
 * client may already have seen: the server stores what it applied before it reads, instead of leaving
 * the last edits in the store window. The edits here are read the moment another client sees them.
 */
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRow, setCell } from '../../model/document';
import { newRowId } from '../../model/ids';
import { createDataset, createUser, exportSheet, rowHistory } from '../helpers/api';
import { api, connectSynced, type Client } from '../helpers/clients';
import { cellOf, sheetOf } from '../helpers/docs';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const DATASET = 'read-after-apply';
const SHEET = 'events';
/** Rounds per read: each one an edit read as soon as another client has it. */
const ROUNDS = 5;

describe('reads after an edit was seen', () => {
  let server: RunningServer;
  let writer: Client;
  let watcher: Client;
  const row = newRowId();

  beforeAll(async () => {
    server = await startServer();
    await createDataset(server, DATASET);
    writer = await connectSynced(server, DATASET, (await createUser(server, 'Wanda Writer', 'editor')).token);
    watcher = await connectSynced(server, DATASET);
    insertRow(sheetOf(writer.doc, SHEET), row, { actor1: 'start' });
    await waitFor(() => cellOf(watcher.doc, SHEET, row, 'actor1') === 'start', { what: 'the row at the watcher' });
  });
  afterAll(async () => {
    writer.destroy();
    watcher.destroy();
    await server.dispose();
  });

  /** Writes `value` into actor1 and returns once the watcher has it: the server has applied it, maybe not stored it. */
  async function seenEdit(value: string): Promise<void> {
    setCell(sheetOf(writer.doc, SHEET), row, 'actor1', value);
    await waitFor(() => cellOf(watcher.doc, SHEET, row, 'actor1') === value, { intervalMs: 1, what: `${value} at the watcher` });
  }

  it('exports the edit in CSV, JSON and the dataset zip', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const value = `csv ${round}`;
      await seenEdit(value);
      const records = parse((await exportSheet(server, DATASET, SHEET)).text, { columns: true }) as Array<Record<string, string>>;
      expect(records.find((r) => r.row_id === row)?.actor1).toBe(value);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const value = `json ${round}`;
      await seenEdit(value);
      const json = JSON.parse((await exportSheet(server, DATASET, SHEET, 'format=json')).text) as { rows: Array<Record<string, unknown>> };
      expect(json.rows.find((r) => r.row_id === row)?.actor1).toBe(value);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const value = `zip ${round}`;
      await seenEdit(value);
      const response = await fetch(`${server.url}/api/datasets/${DATASET}/export.zip`, { headers: { authorization: `Bearer ${server.adminToken}` } });
      const csv = strFromU8(unzipSync(new Uint8Array(await response.arrayBuffer()))[`${DATASET}-${SHEET}.csv`]!);
      const records = parse(csv, { columns: true }) as Array<Record<string, string>>;
      expect(records.find((r) => r.row_id === row)?.actor1).toBe(value);
    }
  });

  it('lists the edit in the row’s history with the value it replaced', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const value = `history ${round}`;
      const old = cellOf(writer.doc, SHEET, row, 'actor1');
      await seenEdit(value);
      expect((await rowHistory(server, DATASET, row)).at(-1)).toMatchObject({ column: 'actor1', old, new: value, by: 'Wanda Writer' });
    }
  });

  it('tells the edit in the row’s timeline, the History panel’s story', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const value = `timeline ${round}`;
      await seenEdit(value);
      const { status, body } = await api(server, `/api/datasets/${DATASET}/rows/${row}/timeline`);
      expect(status).toBe(200);
      expect((body as Array<{ kind: string; new?: unknown }>).filter((e) => e.kind === 'cell').at(-1)).toMatchObject({ new: value, by: 'Wanda Writer' });
    }
  });

  it('counts a new row in the release preview', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const before = await previewRows();
      const id = newRowId();
      insertRow(sheetOf(writer.doc, SHEET), id, { actor1: `row ${round}` });
      await waitFor(() => cellOf(watcher.doc, SHEET, id, 'actor1') === `row ${round}`, { intervalMs: 1, what: 'the new row at the watcher' });
      expect(await previewRows()).toBe(before + 1);
    }
  });

  async function previewRows(): Promise<number> {
    const { status, body } = await api(server, `/api/datasets/${DATASET}/releases/preview`);
    expect(status).toBe(200);
    return (body.sheets as Array<{ id: string; rows: number }>).find((s) => s.id === SHEET)!.rows;
  }
});
