/**
 * The checks of the document grid for the rows the paged grid has read: a required cell left empty, a
 * code not in the list, a bad date, number or link, an actor not in the actor list (`validateRow`). Only loaded rows are checked (a
 * sheet may hold a million); a row is checked again whenever its values change, since each change
 * gives the grid a new row object.
 */
import { type Column, type Problem, type ValidationContext, validateRow } from '../../model/columns';

type Row = Record<string, unknown>;

export class LoadedProblems {
  private byRow = new WeakMap<object, Record<string, Problem[]>>();
  private columns: readonly Column[] = [];

  /** `context`: what the checks read besides the row (the actor lists). */
  constructor(private readonly context: ValidationContext = {}) {}

  /** The sheet's columns; what was checked against earlier ones is forgotten. */
  setColumns(columns: readonly Column[]): void {
    this.columns = columns;
    this.forget();
  }

  /** Forgets what was checked (what the checks read changed: an actor list was read again). */
  forget(): void {
    this.byRow = new WeakMap();
  }

  /** A row's problems by column id (columns without any are left out). */
  of(row: Row | undefined): Record<string, Problem[]> {
    if (!row) return {};
    let found = this.byRow.get(row);
    if (!found) this.byRow.set(row, (found = validateRow(this.columns, row, this.context)));
    return found;
  }

}
