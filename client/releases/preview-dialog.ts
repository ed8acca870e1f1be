/**
 * The confirmation before a release is made: what it will hold (rows per sheet) and what it will carry
 * (open problems by kind, open flags), so that a release with open work is made knowingly. A release
 * freezes its rows as they are: problems in it stay in it.
 */
import type { ReleasePreview } from '../../model/http';
import { append, h } from '../ui/dom';

type Kind = keyof ReleasePreview['problems'];

/** How each kind of problem is named, one and many. */
const KINDS: Record<Kind, [string, string]> = {
  required: ['required cell left empty', 'required cells left empty'],
  code: ['code not in its list', 'codes not in their lists'],
  quote_not_in_evidence: ['direct quote not in its evidence', 'direct quotes not in their evidence'],
  date: ['date not YYYY, YYYY-MM or YYYY-MM-DD', 'dates not YYYY, YYYY-MM or YYYY-MM-DD'],
  url: ['link that is not http(s)', 'links that are not http(s)'],
  ref: ['reference to a row not in the release', 'references to rows not in the release'],
  place: ['place not on the map (no coordinates, or none that hold)', 'places not on the map (no coordinates, or none that hold)'],
  actor: ['actor not in the actor list', 'actors not in the actor list'],
  type: ['value of the wrong type', 'values of the wrong type'],
};

const count = (n: number, [one, many]: readonly [string, string]) => `${n} ${n === 1 ? one : many}`;

/** The modal; resolves true when the admin confirms. */
export function releasePreviewDialog(preview: ReleasePreview, version: string | null): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'dialog release-preview', 'data-testid': 'release-preview' });
    const close = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const kinds = (Object.keys(KINDS) as Kind[]).filter((k) => preview.problems[k] > 0);
    const problems = kinds.reduce((n, k) => n + preview.problems[k], 0);
    const rows = preview.sheets.map((s) => `${s.name} ${s.rows}`).join(', ');
    const clean = problems === 0 && preview.openFlags === 0;
    append(dialog,
      h('p', { class: 'dialog-message' }, `Make release ${version ?? '(next minor version)'}?`),
      h('p', { class: 'dialog-detail', 'data-testid': 'release-preview-rows' },
        `${preview.rowFilter === 'approved' ? 'Approved rows only' : 'All rows'}: ${rows || 'no sheets'}.`),
      clean
        ? h('p', { class: 'release-preview-clean', 'data-testid': 'release-preview-clean' }, 'No open problems and no open flags.')
        : h('div', { class: 'release-preview-carries' },
          h('p', {}, 'It will carry, as they are now:'),
          h('ul', {},
            h('li', { 'data-testid': 'release-preview-problems', 'data-count': problems },
              count(problems, ['open problem', 'open problems']),
              kinds.length > 0 ? h('ul', {}, ...kinds.map((k) =>
                h('li', { 'data-kind': k, 'data-count': preview.problems[k] }, count(preview.problems[k], KINDS[k])))) : null),
            h('li', { 'data-testid': 'release-preview-flags', 'data-count': preview.openFlags },
              count(preview.openFlags, ['open flag', 'open flags'])))),
      clean ? null : h('p', { class: 'dialog-detail' },
        'A release never changes, and tools that check a Frictionless package report its open problems as errors: fix them first, or resolve the flags, to release without them.'),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'button', onclick: () => close(false) }, 'Cancel'),
        h('button', { type: 'button', class: 'button primary', 'data-testid': 'release-confirm', onclick: () => close(true) }, 'Make release')),
    );
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-testid=release-confirm]')?.focus();
  });
}
