/** What cell renderers and editors need from the page, handed to them through AG Grid's `context`. */
import * as Y from 'yjs';
import type { CellValue, Column } from '../../model/columns';
import { type YRow, getSheet, readColumns, sheetRows } from '../../model/document';
import type { PresenceUser } from '../sync/presence';
import type { ActorContext } from './actor-editor';
import { toText } from './values';

export interface GridContext extends ActorContext {
  sheetId: string;
  /** Other people in a cell of this sheet, by `rowId\u0000columnId`. */
  presenceAt(rowId: string, columnId: string): readonly PresenceUser[];
  /** What a ref cell shows for a row of another sheet: its date and summary. Null if no such row. */
  refLabel(sheetId: string, rowId: string): string | null;
  /** The rows a ref cell may pick from, in id order. */
  refChoices(sheetId: string): RefChoice[];
}

export interface RefChoice {
  id: string;
  label: string;
  /** All the row's text, so a coder can find an event by its actor or place too. */
  search: string;
}

/** The columns a row named by a ref cell is shown by: the sheet's first date column, then `summary` (or its first text column). */
export function refLabelColumns(columns: readonly Column[]): Column[] {
  const date = columns.find((c) => c.type === 'date');
  const text = columns.find((c) => c.id === 'summary') ?? columns.find((c) => c.type === 'text' || c.type === 'longtext');
  return [date, text].filter((c): c is Column => c !== undefined);
}

/** A row's label from its cells (`cell` reads one), by `refLabelColumns`; '' when those cells are empty. */
export function refLabelOf(cell: (columnId: string) => CellValue | undefined, labelColumns: readonly Column[]): string {
  return labelColumns.map((c) => toText(cell(c.id) ?? null)).filter((t) => t !== '').join(' · ');
}

/** Ref labels from the document, by `refLabelColumns`. */
export function refLabeller(doc: Y.Doc): Pick<GridContext, 'refLabel' | 'refChoices'> {
  const labelColumns = (sheetId: string): Column[] => {
    const sheet = getSheet(doc, sheetId);
    return sheet ? refLabelColumns(readColumns(sheet)) : [];
  };
  const label = (yrow: YRow, columns: Column[]): string => refLabelOf((id) => yrow.get(id), columns);

  return {
    refLabel(sheetId, rowId) {
      const sheet = getSheet(doc, sheetId);
      const yrow = sheet ? sheetRows(sheet).get(rowId) : undefined;
      if (!(yrow instanceof Y.Map)) return null;
      return label(yrow, labelColumns(sheetId)) || rowId;
    },
    refChoices(sheetId) {
      const sheet = getSheet(doc, sheetId);
      if (!sheet) return [];
      const columns = labelColumns(sheetId);
      return [...sheetRows(sheet).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([id, yrow]) => ({
          id,
          label: label(yrow, columns) || id,
          search: [...yrow.values()].map((v) => toText(v)).join(' '),
        }));
    },
  };
}
