/**
 * AG Grid column definitions from the document's columns. Each data column's `colId` is the column
 * id (so a cell is `.ag-cell[col-id=COLUMNID]` in the page), values come from the row's cells, and edits go to the document, never to the row.
 */
import type { CellClassParams, ColDef, ICellRendererParams, ITooltipParams, ValueGetterParams } from 'ag-grid-community';
import { anchorLabel, anchorsOf } from '../../model/anchors';
import type { CellValue, Column, ColumnType } from '../../model/columns';
import type { RowData } from './binding';
import { editorFor } from './editors';
import { CellRenderer } from './renderer';
import { isPlace, PRECISION_LABELS } from '../../model/places';
import { toText } from './values';

/** The row-number column on the left; its id cannot clash with column ids (they start with a letter). */
export const ROW_NUMBER_COL = '_row';

const WIDTHS: Record<ColumnType, number> = {
  text: 180, longtext: 320, number: 110, integer: 100, date: 124, enum: 140, multi: 200, boolean: 90, url: 220, ref: 280, evidence: 160,
  place: 200,
};

const TYPE_NAMES: Record<ColumnType, string> = {
  text: 'text', longtext: 'long text', number: 'number', integer: 'whole number', date: 'date (YYYY, YYYY-MM or YYYY-MM-DD)',
  enum: 'one code', multi: 'codes', boolean: 'yes / no', url: 'link', ref: 'row of another sheet',
  evidence: 'passages of sources (read-only here)', place: 'place from the gazetteer (Enter to search)',
};

export interface ColumnDefHooks {
  readOnly: boolean;
  /** The only columns that take edits; all of them without it. */
  writableColumns?: ReadonlySet<string>;
  /** Whether a cell lies in the selected block (for its highlight). */
  inBlock(rowIndex: number | null, columnId: string): boolean;
  /** A cell's open review flags as text (marks the cell, heads its tooltip), or null when it has none. */
  flagAt?(rowId: string, columnId: string): string | null;
  /** A cell's open concurrent-edit conflicts as text (marks the cell, heads its tooltip), or null when it has none. */
  conflictAt?(rowId: string, columnId: string): string | null;
}

export function dataColumnDef(column: Column, hooks: ColumnDefHooks): ColDef<RowData> {
  const id = column.id;
  const { cellEditor, cellEditorPopup } = editorFor(column);
  const describe = [
    `${column.name} — ${TYPE_NAMES[column.type]}${column.required ? ', required' : ''}`,
    column.description,
    column.options?.length ? `Codes: ${column.options.join(', ')}` : undefined,
  ].filter(Boolean).join('\n');
  return {
    colId: id,
    headerName: column.name,
    headerTooltip: describe,
    headerClass: column.required ? 'header-required' : undefined,
    initialWidth: WIDTHS[column.type],
    valueGetter: (p: ValueGetterParams<RowData>) => p.data?.cells[id] ?? null,
    // Evidence is anchored by selecting text in a source, never typed.
    editable: !hooks.readOnly && column.type !== 'evidence' && (hooks.writableColumns?.has(id) ?? true),
    cellEditor,
    cellEditorPopup,
    cellEditorParams: { tesseraColumn: column },
    cellRenderer: CellRenderer,
    cellRendererParams: { tesseraColumn: column },
    cellClass: hooks.writableColumns && !hooks.writableColumns.has(id) ? `cell-type-${column.type} cell-locked` : `cell-type-${column.type}`,
    cellClassRules: {
      'cell-problem': (p: CellClassParams<RowData>) => p.data?.problems[id] !== undefined,
      'cell-missing': (p: CellClassParams<RowData>) => p.data?.problems[id]?.some((x) => x.code === 'required') === true,
      'cell-in-block': (p: CellClassParams<RowData>) => hooks.inBlock(p.node.rowIndex, id),
      'cell-flagged': (p: CellClassParams<RowData>) => p.data !== undefined && (hooks.flagAt?.(p.data.id, id) ?? null) !== null,
      'cell-conflict': (p: CellClassParams<RowData>) => p.data !== undefined && (hooks.conflictAt?.(p.data.id, id) ?? null) !== null,
    },
    tooltipValueGetter: (p: ITooltipParams<RowData>) => {
      const conflict = p.data ? hooks.conflictAt?.(p.data.id, id) ?? null : null;
      const flag = p.data ? hooks.flagAt?.(p.data.id, id) ?? null : null;
      const problems = p.data?.problems[id];
      if (conflict !== null || flag !== null) {
        return [conflict, flag, ...(problems ?? []).map((x) => x.message)].filter((x) => x !== null).join('\n');
      }
      if (problems) return problems.map((x) => x.message).join('\n');
      if (column.type === 'longtext' && typeof p.value === 'string' && p.value.length > 40) return p.value;
      if (column.type === 'place' && isPlace(p.value)) {
        const v = p.value;
        return [`${v.name}${v.country ? `, ${v.country}` : ''}`, v.lat === null ? 'no coordinates' : `${v.lat}, ${v.lon}`,
          `precision ${v.precision}: ${PRECISION_LABELS[v.precision]}`, v.geonameid === null ? '' : `GeoNames ${v.geonameid}`].filter(Boolean).join('\n');
      }
      if (column.type === 'evidence' && Array.isArray(p.value) && p.value.length > 0) {
        return anchorsOf(p.value).map((a) => `“${a.exact}” (${anchorLabel(a)})`).join('\n');
      }
      return undefined;
    },
    comparator: compareValues,
    getQuickFilterText: (p) => toText(p.value as CellValue),
    equals: sameValue,
    sortable: true,
    resizable: true,
    suppressHeaderMenuButton: true,
  };
}

export function rowNumberColumnDef(hooks: ColumnDefHooks): ColDef<RowData> {
  return {
    colId: ROW_NUMBER_COL,
    headerName: '',
    width: 64,
    minWidth: 48,
    pinned: 'left',
    lockPinned: true,
    lockPosition: 'left',
    editable: false,
    sortable: false,
    resizable: false,
    suppressMovable: true,
    suppressHeaderMenuButton: true,
    // The row object itself: a new one after every change, so the markers (problems, review) redraw.
    valueGetter: (p: ValueGetterParams<RowData>) => p.data ?? null,
    getQuickFilterText: () => '',
    cellRenderer: (p: ICellRendererParams<RowData>) => {
      const el = document.createElement('span');
      el.className = 'row-number';
      el.textContent = p.node.rowIndex === null ? '' : String(p.node.rowIndex + 1);
      const data = p.data;
      if (data && Object.keys(data.problems).length > 0) el.append(marker('row-marker problem', '●'));
      if (data?.status === 'approved') el.append(marker('row-marker approved', '✓'));
      if (data?.status === 'flagged') el.append(marker('row-marker flagged', '⚑'));
      return el;
    },
    cellClass: 'row-number-cell',
    cellClassRules: {
      'row-in-block': (p: CellClassParams<RowData>) => hooks.inBlock(p.node.rowIndex, ROW_NUMBER_COL),
    },
    tooltipValueGetter: (p: ITooltipParams<RowData>) => {
      const data = p.data;
      if (!data) return undefined;
      const count = Object.keys(data.problems).length;
      return [`Row ${data.id}`, `Review: ${data.status}`, count > 0 ? `${count} cell${count === 1 ? '' : 's'} with problems` : '']
        .filter(Boolean).join('\n');
    },
  };
}

function marker(className: string, text: string): HTMLElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function compareValues(a: unknown, b: unknown): number {
  const empty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
  if (empty(a) || empty(b)) return Number(empty(a)) - Number(empty(b));
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return toText(a as CellValue).localeCompare(toText(b as CellValue), undefined, { numeric: true, sensitivity: 'base' });
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
