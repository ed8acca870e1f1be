/**
 * What the popup pickers that search the server as one types have in common (the place picker, and the
 * paged grid's ref picker): a box under the cell with a text field, focused with the caret at its end; the
 * value picked, or the cell's own while nothing is; and searches numbered so that an answer to an older
 * search than the last one asked is dropped (also once the editor is gone).
 */
import type { ICellEditorComp, ICellEditorParams } from 'ag-grid-community';
import type { CellValue } from '../../model/columns';
import { focusAtEnd } from './option-list';

export abstract class SearchPicker<P extends ICellEditorParams<any, CellValue, any>> implements ICellEditorComp {
  protected readonly box = document.createElement('div');
  protected readonly input = document.createElement('input');
  protected params!: P;
  protected timer: ReturnType<typeof setTimeout> | undefined;
  /** The number of the last search asked. */
  protected searchNo = 0;
  /** What `getValue` hands back; undefined until something is picked (the cell then keeps its value). */
  protected result: CellValue | undefined;

  abstract init(params: P): void;

  getGui(): HTMLElement {
    return this.box;
  }

  isPopup(): boolean {
    return true;
  }

  getPopupPosition(): 'under' {
    return 'under';
  }

  afterGuiAttached(): void {
    focusAtEnd(this.input);
  }

  getValue(): CellValue {
    return this.result === undefined ? this.params.value ?? null : this.result;
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.searchNo += 1;
  }
}
