/** How a cell editor starts, from the key that opened it (client/grid/editors.ts describes the habits). */
import type { ICellEditorParams } from 'ag-grid-community';
import type { CellValue } from '../../model/columns';
import { toText } from './values';

/**
 * The text an editor starts with: a typed character in place of the value, nothing after Backspace or
 * Delete, the value itself after Enter or F2; `typed` tells the first two from the last.
 */
export function startText(params: Pick<ICellEditorParams<unknown, CellValue>, 'eventKey' | 'value'>): { text: string; typed: boolean } {
  const key = params.eventKey;
  if (key === 'Backspace' || key === 'Delete') return { text: '', typed: true };
  if (key !== null && key.length === 1) return { text: key, typed: true };
  return { text: toText(params.value ?? null), typed: false };
}
