/** The words of the sheet's footer: how many rows are shown, and the keys the user's role can use. */
import { type Role, canEdit, hasRole } from '../../model/roles';

const NUMBER = new Intl.NumberFormat();

/** "40 rows", or under a search or filter "12 of 40 rows". */
export function rowCountText(shown: number, total: number, format: Intl.NumberFormat = NUMBER): string {
  const rows = `${format.format(total)} row${total === 1 ? '' : 's'}`;
  return shown === total ? rows : `${format.format(shown)} of ${rows}`;
}

/** The keys a role can use on the grid: editing keys only for those who may change rows. */
export function footerKeys(role: Role): string {
  if (canEdit(role)) return 'Enter/F2 edit · Tab next · Shift+arrows select · Ctrl+C / Ctrl+V copy and paste · Delete clears · Ctrl+Z undo';
  const read = 'Arrows move · Shift+arrows select · Ctrl+C copy';
  return hasRole(role, 'reviewer') ? `${read} · Ctrl+Shift+F flag · right-click to flag or approve` : read;
}
