/**
 * A sheet's problems, from the read model: the cell checks the grid marks (`model/columns.ts`; actor
 * cells against the actor lists their columns name), and for
 * statements whose `quote_type` is `direct`, a `quote` that is not the exact text of one of the row's anchors.
 */
import { type CellValue, type Column, type ValidationContext, validateRow } from '../../model/columns';
import { quoteProblem } from '../../model/quotes';
import type { SheetProblems } from '../../model/http';
import { actorLookup, readActorLists } from '../actors/lists';
import { inTurns } from '../http/turns';
import type { ReadModel, SheetSummary } from '../storage';

export type RowProblem = Omit<SheetProblems[number], 'row'>;

/**
 * The problems the grid marks on one row (`ctx` answers for `ref` columns and actor columns), without the
 * row id.
 */
export function rowProblems(
  columns: readonly Column[], cells: Readonly<Record<string, CellValue>>, ctx: Required<ValidationContext>,
): RowProblem[] {
  const problems: RowProblem[] = [];
  for (const [column, found] of Object.entries(validateRow(columns, cells, ctx))) {
    for (const p of found) problems.push({ column, code: p.code, message: p.message });
  }
  const quote = quoteProblem(columns, cells);
  if (quote) problems.push({ column: 'quote', code: quote.code, message: quote.message });
  return problems;
}

export async function sheetProblems(readModel: ReadModel, datasetId: string, sheets: readonly SheetSummary[], sheetId: string): Promise<SheetProblems> {
  const sheet = sheets.find((s) => s.id === sheetId)!;
  // Row ids of the sheets that `ref` columns point at, read once.
  const ids = new Map<string, Set<string>>();
  for (const column of sheet.columns) {
    if (column.type !== 'ref' || !column.ref || ids.has(column.ref)) continue;
    const set = new Set<string>();
    if (sheets.some((s) => s.id === column.ref)) for await (const row of inTurns(readModel.exportRows(datasetId, column.ref, 'all'))) set.add(row.rowId);
    ids.set(column.ref, set);
  }
  const rowExists = (ref: string, rowId: string) => ids.get(ref)?.has(rowId) ?? false;
  const actorNamed = actorLookup(await readActorLists(readModel, datasetId, sheet.columns));

  const problems: SheetProblems = [];
  // Checking a row costs more than reading it: other requests get turns meanwhile.
  for await (const row of inTurns(readModel.exportRows(datasetId, sheetId, 'all'))) {
    for (const p of rowProblems(sheet.columns, row.cells, { rowExists, actorNamed })) problems.push({ row: row.rowId, ...p });
  }
  return problems;
}
