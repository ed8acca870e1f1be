/**
 * What a user is told when their access to an open dataset changes under them: a banner after the page
 * starts again with a new role, and a full page when the server closes the dataset for them for good.
 */
import type { User as Me } from '../../model/http';
import { CloseCode, CloseReason } from '../../model/codes';
import { canEdit, type Role } from '../../model/roles';
import { api } from '../api';
import { signInPath } from '../router';
import { h, replaceChildren } from '../ui/dom';
import { topBar } from '../pages/layout';

const roleChangeKey = (datasetId: string) => `tessera:role-changed:${datasetId}`;

/** Remembers, across the reload that follows, that the server changed this user's role on the dataset. */
export function rememberRoleChange(datasetId: string, role: string): void {
  sessionStorage.setItem(roleChangeKey(datasetId), role);
}

/** The role change remembered before the reload, once: the banner shows on this load only. */
export function takeRoleChange(datasetId: string): string | null {
  const role = sessionStorage.getItem(roleChangeKey(datasetId));
  sessionStorage.removeItem(roleChangeKey(datasetId));
  return role;
}

/** The banner that says why the grid changed: "Your role on this dataset is now viewer: the grid is read-only." */
export function roleChangeBanner(role: Role): HTMLElement {
  const text = canEdit(role)
    ? `Your role on this dataset is now ${role}.`
    : `Your role on this dataset is now ${role}: the grid is read-only.`;
  const banner: HTMLElement = h('p', { class: 'access-banner', role: 'status', 'data-testid': 'role-banner' },
    h('span', {}, text),
    h('button', { type: 'button', class: 'button icon', title: 'Dismiss', 'aria-label': 'Dismiss', onclick: () => banner.remove() }, '×'));
  return banner;
}

/**
 * A 4403 for the page's address: the server counts only its own origin (the `Host` it is reached by)
 * and ALLOWED_ORIGINS as its pages. Nobody took the user's access away, so the page must not say so:
 * the fix is in the server's settings or the proxy in front of it.
 */
const ORIGIN_REFUSED = (origin: string) => ({
  title: 'This address is not allowed',
  text: `This address (${origin}) is not allowed by the server's settings, so the dataset cannot be opened from it. `
    + 'Your access has not changed. Open Tessera at the address its administrator gave you, or tell them: '
    + 'the server takes live edits only from its own address as the browser sees it, or from the addresses in ALLOWED_ORIGINS.',
});

const ENDED: Record<number, { title: string; text: string }> = {
  [CloseCode.Unauthorized]: {
    title: 'You are signed out',
    text: 'Your session ended: an admin signed you out, disabled your account or changed your token, or you signed out elsewhere.',
  },
  [CloseCode.Forbidden]: {
    title: 'You may no longer open this dataset',
    text: 'An admin of this dataset removed you from its members, or made it open to its members only.',
  },
  [CloseCode.NotFound]: {
    title: 'This dataset no longer exists',
    text: 'It was deleted, or it is now open to its members only.',
  },
};

/**
 * The page shown instead of the dataset once the server closed it for this user (4401, 4403, 4404):
 * the connection does not try again, and the page says why and where to go.
 * `unsaved`: changes of this tab the server had not confirmed; they stay in this browser's offline copy.
 * `reason`: the close reason, which tells a refused address from a user whose access was taken away.
 */
export function renderAccessEnded(app: HTMLElement, me: Me, code: number, unsaved: boolean, reason = ''): void {
  const { title, text } = code === CloseCode.Forbidden && reason === CloseReason.OriginNotAllowed
    ? ORIGIN_REFUSED(location.origin)
    : ENDED[code] ?? ENDED[CloseCode.Forbidden]!;
  document.title = `${title} · Tessera`;
  const next = code === CloseCode.Unauthorized
    ? h('a', { class: 'button primary', href: signInPath(), 'data-testid': 'sign-in-again' }, 'Sign in again')
    : h('a', { class: 'button primary', href: '/' }, 'Back to the datasets');
  replaceChildren(app,
    code === CloseCode.Unauthorized ? null : topBar(me, [h('a', { href: '/' }, 'Datasets')]),
    h('main', { class: 'page narrow access-ended', 'data-testid': 'access-ended', 'data-code': String(code), role: 'alert' },
      h('h1', {}, title),
      h('p', {}, text),
      unsaved
        ? h('p', { class: 'muted' }, 'Your last changes had not reached the server yet. They are kept in this browser, and are sent if you open this dataset again with the right to change it.')
        : null,
      h('p', {}, next),
    ),
  );
}

/** How often the page asks whether a dataset being converted to rows by page is ready. */
const CONVERSION_POLL_MS = 2000;

/**
 * The page shown while the dataset is converted to rows by page (the server closed its whole document with
 * 4409): it asks every few seconds whether the dataset is `rows` yet, then reloads, and the dataset opens
 * as a paged sheet. Changes the server had not stored are in this browser's offline copy; the paged sheet
 * sends them into the rows' own documents.
 */
export function renderConverting(app: HTMLElement, me: Me, datasetId: string, unsaved: boolean): void {
  document.title = 'Converting the dataset · Tessera';
  replaceChildren(app,
    topBar(me, [h('a', { href: '/' }, 'Datasets')]),
    h('main', { class: 'page narrow access-ended', 'data-testid': 'dataset-converting', role: 'status' },
      h('h1', {}, 'This dataset is being converted'),
      h('p', {}, 'An admin is converting it to rows by page, so that its sheets can grow to any size. It opens again by itself when that is done.'),
      unsaved
        ? h('p', { class: 'muted' }, 'Your last changes had not reached the server yet. They are kept in this browser, and are sent when the dataset opens again.')
        : null,
    ),
  );
  const ask = async (): Promise<void> => {
    try {
      if ((await api.get('/api/datasets/{id}', { params: { id: datasetId } })).layout === 'rows') return location.reload();
    } catch {
      // Not reachable right now: asked again.
    }
    setTimeout(() => void ask(), CONVERSION_POLL_MS);
  };
  setTimeout(() => void ask(), CONVERSION_POLL_MS);
}
