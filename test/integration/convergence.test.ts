import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue } from '../../model/columns';
import { deleteRow, insertRow, setCell, sheetRows } from '../../model/document';
import { newRowId } from '../../model/ids';
import { CONTEXTS, TEMPLATES } from '../../model/templates';
import { createDataset, createUser, exportSheet, rowCount } from '../helpers/api';
import { connectSynced, type Client } from '../helpers/clients';
import { rowsOf, sheetOf, sheetsJson } from '../helpers/docs';
import { eventually } from '../helpers/eventually';
import { mulberry32, testSeed, type Random } from '../helpers/random';
import { startServer, type RunningServer } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const STEPS = 400;
const SEEDS = process.env.SEED ? [testSeed(0)] : [0x7e55e7a, 20240222];
const EVENT_COLUMNS = TEMPLATES['events-statements'][0].columns.map((c) => c.id);
/** Two cells that every client keeps fighting over. */
const HOT_COLUMNS = ['summary', 'event_type'];

interface Player {
  name: string;
  client: Client;
  online: boolean;
}

function randomValue(random: Random): CellValue {
  switch (random.int(0, 5)) {
    case 0: return random.int(-1000, 1000);
    case 1: return random.int(-1000, 1000) / 8;
    case 2: return random.chance(0.5);
    case 3: return CONTEXTS.filter(() => random.chance(0.3));
    case 4: return null;
    default: return random.word(12);
  }
}

/** How a cell reads in the CSV export, for values without a formula-like start. */
function csvText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  return Array.isArray(value) ? value.join('; ') : String(value);
}

/** Lets the schedule interleave with the network for a moment. It waits for nothing in particular. */
const yieldToNetwork = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('convergence under a seeded random schedule', () => {
  let server: RunningServer;
  let userTokens: Array<{ name: string; token: string }>;
  let lateToken: string;
  const clients: Client[] = [];
  beforeAll(async () => {
    server = await startServer();
    userTokens = [{ name: 'admin', token: server.adminToken }];
    for (const [name, role] of [['alice', 'admin'], ['bob', 'editor'], ['carol', 'editor']] as const) {
      userTokens.push({ name, token: (await createUser(server, name, role)).token });
    }
    lateToken = (await createUser(server, 'dave', 'viewer')).token;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server.dispose();
  });

  it.each(SEEDS)('converges 4 clients of 4 users (seed %i) after 400 concurrent edits, inserts, deletes and reconnects; a late joiner and the export agree', async (seed) => {
    const random = mulberry32(seed);
    const dataset = `converge-${seed}`;
    const context = `seed ${seed} (replay with SEED=${seed})`;
    await createDataset(server, dataset);
    const players: Player[] = [];
    for (const { name, token } of userTokens) {
      const client = await connectSynced(server, dataset, token);
      clients.push(client);
      players.push({ name, client, online: true });
    }

    const hotRow = newRowId();
    insertRow(sheetOf(players[0]!.client.doc, 'events'), hotRow, { summary: 'contested', actor1: 'everyone' });
    await waitFor(() => players.every((p) => sheetRows(sheetOf(p.client.doc, 'events')).has(hotRow)), { what: 'the hot row everywhere' });

    const done = { hot: 0, cell: 0, insert: 0, delete: 0, disconnect: 0, reconnect: 0, statement: 0 };
    for (let step = 0; step < STEPS; step++) {
      const player = random.pick(players);
      const doc = player.client.doc;
      const events = sheetOf(doc, 'events');
      const rowIds = [...sheetRows(events).keys()];
      const roll = random.next();
      if (roll < 0.3) {
        setCell(events, hotRow, random.pick(HOT_COLUMNS), randomValue(random));
        done.hot++;
      } else if (roll < 0.55 && rowIds.length > 0) {
        setCell(events, random.pick(rowIds), random.pick(EVENT_COLUMNS), randomValue(random));
        done.cell++;
      } else if (roll < 0.67) {
        const values: Record<string, CellValue> = {};
        for (const column of EVENT_COLUMNS) if (random.chance(0.4)) values[column] = randomValue(random);
        insertRow(events, newRowId(), values);
        done.insert++;
      } else if (roll < 0.72) {
        insertRow(sheetOf(doc, 'statements'), newRowId(), { quote: random.word(20), event_id: random.pick(rowIds) });
        done.statement++;
      } else if (roll < 0.8 && rowIds.length > 1) {
        deleteRow(events, random.pick(rowIds));
        done.delete++;
      } else if (roll < 0.86) {
        if (player.online && players.filter((p) => !p.online).length < 2) {
          player.client.provider.disconnect();
          player.online = false;
          done.disconnect++;
        } else if (!player.online) {
          player.client.provider.connect();
          player.online = true;
          done.reconnect++;
        }
      } else {
        await yieldToNetwork(random.int(0, 4));
      }
    }
    // The schedule must have exercised every kind of step, or it proves less than its title says.
    for (const [kind, count] of Object.entries(done)) expect(count, `${kind} steps, ${context}`).toBeGreaterThan(0);

    for (const p of players) if (!p.online) p.client.provider.connect();
    await eventually(() => {
      const first = sheetsJson(players[0]!.client.doc);
      for (const p of players) {
        expect(p.client.provider.synced, `${p.name} synced (closes: ${p.client.closes.join(", ")}), ${context}`).toBe(true);
        expect(sheetsJson(p.client.doc), `${p.name}, ${context}`).toEqual(first);
      }
    }, { what: 'all clients equal', timeoutMs: 20_000 });
    const expected = sheetsJson(players[0]!.client.doc);

    const late = await connectSynced(server, dataset, lateToken);
    clients.push(late);
    expect(sheetsJson(late.doc), `late joiner, ${context}`).toEqual(expected);

    // The read model behind the API and the export agrees with the document.
    const reference = players[0]!.client.doc;
    const eventRows = rowsOf(reference, 'events');
    await eventually(async () => {
      expect(await rowCount(server, dataset, 'events'), context).toBe(eventRows.length);
      expect(await rowCount(server, dataset, 'statements'), context).toBe(rowsOf(reference, 'statements').length);
    });

    const csv = parse((await exportSheet(server, dataset, 'events')).text, { columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => r.row_id), context).toEqual(eventRows.map(([id]) => id));
    expect(csv.map((r) => EVENT_COLUMNS.map((c) => r[c])), context)
      .toEqual(eventRows.map(([, row]) => EVENT_COLUMNS.map((c) => csvText(row[c]))));
    const names = userTokens.map((u) => u.name);
    for (const r of csv) {
      expect(names).toContain(r.created_by);
      expect(names).toContain(r.updated_by);
    }

    const json = JSON.parse((await exportSheet(server, dataset, 'events', 'format=json')).text) as { rows: Array<Record<string, CellValue>> };
    expect(json.rows.map((r) => [r.row_id, ...EVENT_COLUMNS.map((c) => r[c])]), context)
      .toEqual(eventRows.map(([id, row]) => [id, ...EVENT_COLUMNS.map((c) => row[c] ?? null)]));
  });
});
