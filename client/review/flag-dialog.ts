/**
 * The dialog that flags a row or one cell: a reason from the dataset's list and a note for the coder.
 * The flag goes to the server (the only writer of reviews); the mark comes back through the document.
 */
import { api, ApiError } from '../api';
import type { NewFlagBody } from '../../model/http';
import { h } from '../ui/dom';
import { reasonLabel } from './reasons';

export interface FlagTarget {
  sheet: string;
  row: string;
  /** Null flags the whole row. */
  column: string | null;
  /** How the user knows the target: "Events · row 3 · Event type". */
  label: string;
}

/**
 * Opens the dialog; resolves with the new flag's id, or null when cancelled. `reasons` are the
 * dataset's codes; the first one is preselected only when there is a single one.
 */
export function flagDialog(datasetId: string, target: FlagTarget, reasons: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const reason = h('select', { name: 'reason', required: true, 'data-testid': 'flag-reason' },
      h('option', { value: '' }, 'Choose a reason…'),
      ...reasons.map((code) => h('option', { value: code }, reasonLabel(code))));
    if (reasons.length === 1) reason.value = reasons[0]!;
    const note = h('textarea', {
      name: 'note', rows: 4, maxlength: 5000, 'data-testid': 'flag-note',
      placeholder: 'What is wrong, and what would fix it? The coder sees this.',
    });
    const error = h('p', { class: 'form-error', role: 'alert' });
    error.hidden = true;
    const submit = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'flag-submit' },
      target.column === null ? 'Flag row' : 'Flag cell');
    const cancel = h('button', { type: 'button', class: 'button' }, 'Cancel');
    const form = h('form', { class: 'flag-form', method: 'dialog' },
      h('p', { class: 'dialog-message' }, target.column === null ? 'Flag this row' : 'Flag this cell'),
      h('p', { class: 'flag-target' }, target.label),
      h('label', {}, h('span', {}, 'Reason'), reason),
      h('label', {}, h('span', {}, 'Note'), note),
      error,
      h('div', { class: 'dialog-actions' }, h('span', { class: 'muted small dialog-keys' }, 'Ctrl+Enter to send'), cancel, submit),
    );
    const dialog = h('dialog', { class: 'dialog flag-dialog', 'data-testid': 'flag-dialog', 'aria-label': 'Flag' }, form);

    let done = false;
    const close = (flagId: string | null) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(flagId);
    };
    cancel.addEventListener('click', () => close(null));
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(null);
    });
    note.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (reason.value === '') {
        error.textContent = 'Choose a reason.';
        error.hidden = false;
        reason.focus();
        return;
      }
      error.hidden = true;
      submit.disabled = true;
      const body: NewFlagBody = { sheet: target.sheet, row: target.row, column: target.column, reason: reason.value };
      if (note.value.trim() !== '') body.note = note.value.trim();
      try {
        const flag = await api.post('/api/datasets/{id}/flags', { params: { id: datasetId }, body });
        close(flag.id);
      } catch (err) {
        error.textContent = err instanceof ApiError ? err.message : `Could not flag: ${(err as Error).message}`;
        error.hidden = false;
        submit.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    reason.focus();
  });
}
