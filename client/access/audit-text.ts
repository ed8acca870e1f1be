/** An audit entry in plain words: "changed Ana's role from editor to viewer". */
import type { AuditLog } from '../../model/http';
import { count } from '../ui/plural';

type AuditEntry = AuditLog[number];

const text = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '?');

/** What was done, without who and when (those have columns of their own). */
export function auditText({ action, target, detail }: AuditEntry): string {
  switch (action) {
    case 'user.create':
      return `created the user ${target} (${text(detail.role)})`;
    case 'user.role':
      return `changed ${target}’s role from ${text(detail.from)} to ${text(detail.to)}`;
    case 'user.disable':
      return `disabled ${target}`;
    case 'user.enable':
      return `enabled ${target}`;
    case 'user.token':
      return `gave ${target} a new token`;
    case 'user.password':
      return `set ${target}’s password`;
    case 'user.signout': {
      const n = Number(detail.sessions ?? 0);
      return `signed ${target} out (${n} session${n === 1 ? '' : 's'})`;
    }
    case 'user.link':
      return `made a sign-in link for ${target}`;
    case 'member.set':
      return `made ${text(detail.user)} ${text(detail.role)} on the dataset ${target}`;
    case 'member.remove':
      return `removed ${text(detail.user)} from the dataset ${target}`;
    case 'dataset.create':
      return `created the dataset ${target} (${text(detail.name)})`;
    case 'dataset.archive':
      return `archived the dataset ${target}`;
    case 'dataset.restore':
      return `restored the dataset ${target} from the archive`;
    case 'dataset.delete':
      return `deleted the dataset ${target} (${text(detail.name)}) with ${contentsText(detail)}`;
    case 'dataset.convert': {
      const rows = typeof detail.rows === 'object' && detail.rows !== null ? Object.values(detail.rows as Record<string, unknown>) : [];
      const total = rows.reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
      return `converted the dataset ${target} to rows by page (${count(total, 'row')})`;
    }
    case 'dataset.access':
      return detail.to === 'members' ? `opened the dataset ${target} to its members only` : `opened the dataset ${target} to everyone`;
    default:
      // An action this client does not know yet: shown as stored, so nothing is hidden.
      return `${action} ${target} ${JSON.stringify(detail)}`;
  }
}

/** What a deleted dataset held, from its audit entry: "12 rows in 2 sheets, 1 release, 3 sources, no rounds". */
function contentsText(detail: Record<string, unknown>): string {
  const sheets = Array.isArray(detail.sheets) ? detail.sheets as Array<{ rows?: unknown }> : [];
  const rows = sheets.reduce((sum, s) => sum + (typeof s.rows === 'number' ? s.rows : 0), 0);
  return [`${count(rows, 'row')} in ${count(sheets.length, 'sheet')}`, count(detail.releases, 'release'), count(detail.sources, 'source'), count(detail.rounds, 'round')]
    .join(', ');
}
