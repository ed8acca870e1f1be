/**
 * A statement's direct quote must be the exact text of one of its row's anchors: the check the grid
 * marks and `GET …/sheets/:sheet/problems` lists, in one place so client and server agree.
 */
import { anchorsOf } from './anchors';
import type { CellValue, Column, Problem } from './columns';

/** Whether a sheet's columns make its rows subject to the quote check (`quote` and `quote_type`). */
export function checksQuotes(columns: readonly Column[]): boolean {
  return columns.some((c) => c.id === 'quote') && columns.some((c) => c.id === 'quote_type');
}

/**
 * The `quote_not_in_evidence` problem of a row (for its `quote` cell), or null: a row whose
 * `quote_type` is `direct` and whose non-empty `quote` is not the `exact` text of one of its anchors.
 */
export function quoteProblem(columns: readonly Column[], cells: Readonly<Record<string, CellValue | undefined>>): Problem | null {
  if (!checksQuotes(columns)) return null;
  const quote = cells.quote;
  if (cells.quote_type !== 'direct' || typeof quote !== 'string' || quote === '') return null;
  const exacts = columns.filter((c) => c.type === 'evidence').flatMap((c) => anchorsOf(cells[c.id]).map((a) => a.exact));
  if (exacts.includes(quote)) return null;
  return {
    code: 'quote_not_in_evidence',
    message: exacts.length === 0
      ? 'A direct quote needs evidence: anchor the quote in a source'
      : 'The direct quote is not the exact text of any of the row’s anchors',
  };
}
