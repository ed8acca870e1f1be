/**
 * Concurrent-edit conflicts on the dataset page: the marks in each grid (for everyone), and for
 * editors the right-click entries that keep the cell's value or use the other one.
 */
import type * as Y from 'yjs';
import { ApiError, resolveConflict } from '../api';
import { type Role, canEdit } from '../../model/roles';
import type { SheetGrid } from '../grid/grid';
import type { MenuEntry } from '../review/context-menu';
import { toast } from '../ui/dom';
import { ConflictIndex } from './conflict-index';
import { ConflictMarks, type GridConflicts, gridConflicts, quote } from './grid-conflicts';

export interface ConflictControllerOptions {
  datasetId: string;
  role: Role;
  doc: Y.Doc;
}

export class ConflictController {
  private readonly index: ConflictIndex;
  private readonly conflicts: GridConflicts;
  private marks: ConflictMarks | null = null;
  private sheetId = '';

  constructor(private readonly options: ConflictControllerOptions) {
    this.index = new ConflictIndex(options.doc);
    this.conflicts = gridConflicts(this.index, () => this.sheetId);
  }

  destroy(): void {
    this.marks?.destroy();
    this.index.destroy();
  }

  /** For SheetGridOptions.conflicts: the marks on cells with open conflicts. */
  get gridConflicts(): GridConflicts {
    return this.conflicts;
  }

  /** Call with each new grid (a sheet shown), before it draws: the marks follow the sheet. */
  setSheet(sheetId: string): void {
    this.sheetId = sheetId;
  }

  attachGrid(grid: SheetGrid, sheetId: string): void {
    this.sheetId = sheetId;
    this.marks?.destroy();
    this.marks = new ConflictMarks(grid.api, this.index);
  }

  /** Right-click entries for a cell with an open conflict: keep its value, or use the other one (editors). */
  menuEntries(rowId: string, columnId: string): MenuEntry[] {
    const open = this.index.openAt(this.sheetId, rowId, columnId);
    const latest = open.at(-1);
    if (!latest || !canEdit(this.options.role)) return [];
    const by = (name: string | null) => (name ? `${name}'s ` : '');
    return [
      'separator',
      {
        label: `Keep ${by(latest.keptBy)}value ${quote(latest.kept)}`, action: 'conflict-keep',
        run: () => void this.resolve(latest.id, 'kept'),
      },
      {
        label: `Use the other value: ${by(latest.lostBy)}${quote(latest.lost)}`, action: 'conflict-use-other',
        run: () => void this.resolve(latest.id, 'lost'),
      },
    ];
  }

  private async resolve(conflictId: string, value: 'kept' | 'lost'): Promise<void> {
    try {
      await resolveConflict(this.options.datasetId, conflictId, value);
      toast(value === 'kept' ? 'Value kept.' : 'The other value is in the cell now.');
    } catch (err) {
      toast(err instanceof ApiError ? err.message : `Could not resolve: ${(err as Error).message}`, 'error');
    }
  }
}
