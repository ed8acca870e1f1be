/**
 * The map of a large document-layout sheet after one edit (client/map/points.ts): the work of reading the
 * rows' events again and telling what changed, for MAP_ROWS rows (default 100,000), as it was (every row
 * read and compared) and as it is (only the changed row read; a changed code changed in place), and what
 * clustering every point again costs (what a code change no longer does). In Node, without a browser:
 * the numbers are the pure work, not drawing.
 *
 * `npx tsx bench/map-updates.ts`. Prints numbers; never asserts.
 */
import { performance } from 'node:perf_hooks';
import Supercluster from 'supercluster';
import { type MapRow, RowEvents, mapChange, mapColumns, mapEvents } from '../client/map/points';
import type { Column } from '../model/columns';
import { seededRandom } from '../model/random';

const COLUMNS: Column[] = [
  { id: 'event_date', name: 'Date', type: 'date' },
  { id: 'event_type', name: 'Type', type: 'enum', options: ['PROTEST', 'ASSAULT', 'AGREE', 'MOBILIZE'] },
  { id: 'place', name: 'Place', type: 'place' },
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = (run: () => void) => {
  const started = performance.now();
  run();
  return performance.now() - started;
};

export function runMapBench(count: number, log: (line: string) => void): void {
  const rand = seededRandom(5);
  const types = COLUMNS[1]!.options!;
  let rows: MapRow[] = Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    cells: {
      event_date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
      event_type: types[i % types.length]!,
      place: { name: `Town ${i % 500}`, country: null, lat: -40 + rand() * 80, lon: -170 + rand() * 340, precision: 1, geonameid: null },
    },
  }));
  const columns = mapColumns(COLUMNS);
  const edit = (i: number) => {
    rows = [...rows];
    rows[i] = { ...rows[i]!, cells: { ...rows[i]!.cells, event_type: types[(types.indexOf(rows[i]!.cells.event_type as string) + 1) % types.length]! } };
  };
  const same = (a: ReturnType<typeof mapEvents>[number], b: ReturnType<typeof mapEvents>[number]) =>
    a.id === b.id && a.lat === b.lat && a.lon === b.lon && a.from === b.from && a.to === b.to && a.code === b.code && a.name === b.name;

  // As it was: every row's event read again, every event compared.
  let before = mapEvents(rows, columns, 'event_type');
  const was: number[] = [];
  for (let k = 0; k < 7; k++) {
    edit(k * 1000);
    was.push(time(() => {
      const events = mapEvents(rows, columns, 'event_type');
      void (events.length === before.length && events.every((e, i) => same(e, before[i]!)));
      before = events;
    }));
  }
  // As it is: only the changed row read; identical events skipped by reference.
  const kept = new RowEvents();
  let events = kept.events(rows, columns, 'event_type');
  const is: number[] = [];
  let kind = '';
  for (let k = 0; k < 7; k++) {
    edit(k * 1000 + 1);
    is.push(time(() => {
      const next = kept.events(rows, columns, 'event_type');
      kind = mapChange(events, next).kind;
      events = next;
    }));
  }
  const cluster: number[] = [];
  for (let k = 0; k < 3; k++) {
    cluster.push(time(() => {
      const index = new Supercluster({ radius: 36, maxZoom: 16, minPoints: 3 });
      index.load(events.map((e) => ({ type: 'Feature' as const, geometry: { type: 'Point' as const, coordinates: [e.lon!, e.lat!] }, properties: { id: e.id, code: e.code } })));
    }));
  }
  log(`\n## The map after one edit of a code, ${count.toLocaleString('en')} rows (Node, median of 7)`);
  log('');
  log('| work | time |');
  log('| --- | --- |');
  log(`| every row's event read and compared (as it was) | ${median(was).toFixed(1)} ms |`);
  log(`| the changed row read, the change told (as it is: "${kind}", changed in place) | ${median(is).toFixed(1)} ms |`);
  log(`| clustering every point again (as it was for a code change; now only for points moved, added or removed) | ${median(cluster).toFixed(1)} ms |`);
  log(`  rows read by the last update: ${kept.reads - count - 6} of ${count.toLocaleString('en')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) runMapBench(Number(process.env.MAP_ROWS ?? 100_000), console.log);
