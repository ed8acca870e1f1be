/**
 * What a release made now would carry, for the admin to see before making it: its rows per sheet, the
 * open problems among them by kind, and their open flags. The rows are the ones the release would take
 * (all, or approved only); a `ref` counts as a problem when the row it names is not in the release, since
 * the package's foreign key would point nowhere.
 */
import { PROBLEM_CODES } from '../../model/columns';
import type { ReleasePreview } from '../../model/http';
import { actorListsOf } from '../../model/actors';
import { actorListOf, actorLookup } from '../actors/lists';
import { rowProblems } from '../sources/problems';
import type { ReleaseRows, Storage } from '../storage';
import { releaseRows, type SnapshotRecord, snapshotHead } from './snapshot';

type Counts = ReleasePreview['problems'];
type Kind = keyof Counts;

/** Every kind, none counted yet: the answer names each kind, with 0 for those that do not occur. */
const noProblems = (): Counts => Object.fromEntries([...PROBLEM_CODES, 'quote_not_in_evidence'].map((k) => [k, 0])) as Counts;

export async function releasePreview(storage: Storage, dataset: { id: string; name: string }, rowFilter: ReleaseRows): Promise<ReleasePreview> {
  // Two passes over the rows as of one moment: the ids of the rows the release takes (what a `ref` may
  // name) and the actor lists first, then each row's problems. Only ids and actor lists are held.
  return storage.snapshot(async (view) => {
    const head = await snapshotHead(view, dataset);
    const listSheets = new Set(actorListsOf(head.sheets.flatMap((s) => s.columns)));
    const ids = new Map(head.sheets.map((s) => [s.id, new Set<string>()]));
    const actorRows = new Map<string, Array<{ rowId: string; cells: SnapshotRecord }>>();
    for await (const [index, row] of releaseRows(view, head, rowFilter)) {
      const sheetId = head.sheets[index]!.id;
      ids.get(sheetId)!.add(String(row.row_id));
      if (!listSheets.has(sheetId)) continue;
      let list = actorRows.get(sheetId);
      if (!list) actorRows.set(sheetId, (list = []));
      list.push({ rowId: String(row.row_id), cells: row });
    }
    const rowExists = (sheetId: string, rowId: string) => ids.get(sheetId)?.has(rowId) ?? false;
    // Actor cells are checked against the actor lists as the release would hold them, like refs.
    const actorNamed = actorLookup(new Map([...actorRows].map(([sheetId, rows]) => [sheetId, actorListOf(rows)])));
    const problems = noProblems();
    const counts = head.sheets.map(() => noProblems());
    const flags = head.sheets.map(() => 0);
    for await (const [index, row] of releaseRows(view, head, rowFilter)) {
      for (const p of rowProblems(head.sheets[index]!.columns, row, { rowExists, actorNamed })) {
        counts[index]![p.code as Kind] += 1;
        problems[p.code as Kind] += 1;
      }
      flags[index]! += Number(row.open_flags ?? 0);
    }
    const sheets: ReleasePreview['sheets'] = head.sheets.map((sheet, i) => ({
      id: sheet.id, name: sheet.name, rows: ids.get(sheet.id)!.size, problems: counts[i]!, openFlags: flags[i]!,
    }));
    const openFlags = flags.reduce((a, b) => a + b, 0);
    return { rowFilter, rows: Object.fromEntries(sheets.map((s) => [s.id, s.rows])), problems, openFlags, sheets };
  });
}
