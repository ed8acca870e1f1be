/**
 * What a release made now would carry, for the admin to see before making it: its rows per sheet, the
 * open problems among them by kind, and their open flags. The rows are the ones the release would take
 * (all, or approved only); a `ref` counts as a problem when the row it names is not in the release, since
 * the package's foreign key would point nowhere.
 */
import { PROBLEM_CODES } from '../../model/columns';
import type { ReleasePreview } from '../../model/http';
import { actorListOf, actorLookup } from '../actors/lists';
import { rowProblems } from '../sources/problems';
import type { ReleaseRows, Storage } from '../storage';
import { takeSnapshot } from './snapshot';

type Counts = ReleasePreview['problems'];
type Kind = keyof Counts;

/** Every kind, none counted yet: the answer names each kind, with 0 for those that do not occur. */
const noProblems = (): Counts => Object.fromEntries([...PROBLEM_CODES, 'quote_not_in_evidence'].map((k) => [k, 0])) as Counts;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Rows checked between two turns of the event loop, so sockets and requests are served meanwhile. */
const ROWS_PER_TURN = 1000;

export async function releasePreview(storage: Storage, dataset: { id: string; name: string }, rowFilter: ReleaseRows): Promise<ReleasePreview> {
  const snapshot = await storage.snapshot((view) => takeSnapshot(view, dataset, rowFilter));
  const ids = new Map(snapshot.sheets.map((s) => [s.id, new Set(s.rows.map((r) => r.row_id as string))]));
  const rowExists = (sheetId: string, rowId: string) => ids.get(sheetId)?.has(rowId) ?? false;
  // Actor cells are checked against the actor lists as the release would hold them, like refs.
  const actorNamed = actorLookup(new Map(snapshot.sheets.map((s) => [s.id, actorListOf(s.rows.map((cells) => ({ rowId: String(cells.row_id), cells })))])));
  const problems = noProblems();
  let openFlags = 0;
  const sheets: ReleasePreview['sheets'] = [];
  let checked = 0;
  for (const sheet of snapshot.sheets) {
    const counts = noProblems();
    let flags = 0;
    for (const row of sheet.rows) {
      if (++checked % ROWS_PER_TURN === 0) await nextTurn();
      for (const p of rowProblems(sheet.columns, row, { rowExists, actorNamed })) {
        counts[p.code as Kind] += 1;
        problems[p.code as Kind] += 1;
      }
      flags += Number(row.open_flags ?? 0);
    }
    openFlags += flags;
    sheets.push({ id: sheet.id, name: sheet.name, rows: sheet.rows.length, problems: counts, openFlags: flags });
  }
  return { rowFilter, rows: Object.fromEntries(sheets.map((s) => [s.id, s.rows])), problems, openFlags, sheets };
}
