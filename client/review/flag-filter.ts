/** Which flags the review panel lists: a scope (open, on my rows, resolved) and the reason, coder and sheet filters. */
import type { FlagView } from './review-index';
import type { RowAuthors } from './row-coders';

export type Scope = 'open' | 'mine' | 'resolved';

export interface FlagFilter {
  scope: Scope;
  reason: string;
  /** A coder's name: one of those who wrote the row's cells. '' for everyone. */
  coder: string;
  sheet: string;
}

/**
 * Filters flags (kept in their order). `authors` gives what is known of a row's coders; a row not
 * known yet is not on "my rows" and matches no coder until it is.
 */
export function filterFlags(
  flags: readonly FlagView[], filter: FlagFilter, me: string, authors: (rowId: string) => RowAuthors | undefined,
): FlagView[] {
  return flags.filter((f) => {
    if (filter.scope === 'resolved' ? f.status !== 'resolved' : f.status !== 'open') return false;
    if (filter.scope === 'mine' && authors(f.row)?.everyone.has(me) !== true) return false;
    if (filter.reason && f.reason !== filter.reason) return false;
    if (filter.sheet && f.sheet !== filter.sheet) return false;
    if (filter.coder && authors(f.row)?.everyone.has(filter.coder) !== true) return false;
    return true;
  });
}
