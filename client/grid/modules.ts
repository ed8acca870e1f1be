/**
 * The AG Grid community modules the sheet grid uses, and no others: AllCommunityModule would put every
 * community feature into the grid's chunk. AG Grid reports a missing module in the console (error #200,
 * naming the option or API call that needs it); the browser test of a clean console catches one.
 */
import {
  CellStyleModule, ClientSideRowModelApiModule, ClientSideRowModelModule, ColumnApiModule, CustomEditorModule,
  EventApiModule, ExternalFilterModule, type Module, QuickFilterModule, RenderApiModule, RowApiModule, ScrollApiModule,
  TextFilterModule, TooltipModule,
} from 'ag-grid-community';

export const GRID_MODULES: Module[] = [
  // rowData, applyTransaction; getRowNode and the displayed rows.
  ClientSideRowModelModule, ClientSideRowModelApiModule, RowApiModule,
  // ensureIndexVisible / ensureColumnVisible, getAllDisplayedColumns, refreshCells, addEventListener.
  ScrollApiModule, ColumnApiModule, RenderApiModule, EventApiModule,
  // The search box (quickFilterText), "problems only" (external filter), the review status filter (text filter).
  QuickFilterModule, ExternalFilterModule, TextFilterModule,
  // The cell editors (client/grid/editors.ts), header and cell tooltips, cellClass and cellClassRules.
  CustomEditorModule, TooltipModule, CellStyleModule,
];
