/**
 * What finding concurrent cell writes (server/conflicts/detect.ts) costs per applied update, on a
 * 20k-row × 14-column sheet: the same updates applied to a document with and one without detection.
 * `npx tsx bench/conflicts.ts`
 */
import * as Y from 'yjs';
import { createSheet, getSheet, insertRow, setCell } from '../model/document';
import { detectConcurrentWrites } from '../server/conflicts/detect';

const ROWS = 20_000;
const columns = Array.from({ length: 14 }, (_, i) => ({ id: `c${i}`, name: `C${i}`, type: 'text' as const }));
const rowId = (r: number) => `r${String(r).padStart(6, '0')}`;

const seed = new Y.Doc();
createSheet(seed, { id: 'events', name: 'Events', columns });
seed.transact(() => {
  for (let r = 0; r < ROWS; r++) insertRow(getSheet(seed, 'events')!, rowId(r), Object.fromEntries(columns.map((c) => [c.id, `v${r}`])));
});
const state = Y.encodeStateAsUpdate(seed);
const docOf = () => {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
};
const plain = docOf();
const watched = docOf();
let found = 0;
let detecting = 0;
watched.on('beforeObserverCalls', (transaction: Y.Transaction) => {
  const t = performance.now();
  found += detectConcurrentWrites(transaction).length;
  detecting += performance.now() - t;
});
const ana = docOf();
const ben = docOf();

/** Applies what `change` makes in `writer` to both server documents; returns the time each took. */
function apply(writer: Y.Doc, change: () => void): [number, number] {
  const before = Y.encodeStateVector(plain);
  writer.transact(change);
  const update = Y.encodeStateAsUpdate(writer, before);
  let t = performance.now();
  Y.applyUpdate(plain, update);
  const without = performance.now() - t;
  t = performance.now();
  Y.applyUpdate(watched, update);
  return [without, performance.now() - t];
}

function run(label: string, n: number, make: (i: number) => void) {
  let [without, withDetection] = [0, 0];
  found = 0;
  detecting = 0;
  for (let i = 0; i < n; i++) {
    const [a, b] = (make(i), lastTimes);
    without += a;
    withDetection += b;
  }
  console.log(`${label}: applied in ${(without / n).toFixed(3)} ms without detection, ${(withDetection / n).toFixed(3)} ms with it;`
    + ` detection itself ${(detecting / n).toFixed(3)} ms per update (${found} conflicts in ${n} updates)`);
}
let lastTimes: [number, number] = [0, 0];
const sheetOf = (doc: Y.Doc) => getSheet(doc, 'events')!;

// Ben has seen Ana's change: sequential, one cell per update.
run('one sequential cell edit', 500, (i) => {
  apply(ana, () => setCell(sheetOf(ana), rowId(i), 'c0', `ana ${i}`));
  Y.applyUpdate(ben, Y.encodeStateAsUpdate(ana, Y.encodeStateVector(ben)));
  lastTimes = apply(ben, () => setCell(sheetOf(ben), rowId(i), 'c0', `ben ${i}`));
});
// Ben has not seen Ana's change: concurrent.
run('one concurrent cell edit', 500, (i) => {
  apply(ana, () => setCell(sheetOf(ana), rowId(1000 + i), 'c1', `ana ${i}`));
  lastTimes = apply(ben, () => setCell(sheetOf(ben), rowId(1000 + i), 'c1', `ben ${i}`));
});
run('1000 cells of existing rows in one update', 5, (i) => {
  lastTimes = apply(ben, () => { for (let r = 0; r < 1000; r++) setCell(sheetOf(ben), rowId(5000 + r), `c${2 + i}`, `x${r}`); });
});
run('1000 new rows × 14 cells pasted in one update', 5, (i) => {
  lastTimes = apply(ana, () => {
    for (let r = 0; r < 1000; r++) insertRow(sheetOf(ana), `n${i}-${r}`, Object.fromEntries(columns.map((c) => [c.id, `p${r}`])));
  });
});
