/** CHANGELOG.md of a release: rows added, removed and changed per sheet since the previous release, and column changes. */
import type { ReleaseRecord } from '../storage';
import { diffColumns, type ReleaseDiff } from './diff';
import type { SnapshotHead } from './snapshot';

const ids = (list: readonly string[]) => list.map((id) => `\`${id}\``).join(', ');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function heading(release: ReleaseRecord, name: string): string[] {
  const lines = [`# Changelog: ${name} ${release.version}`, ''];
  lines.push(`Release ${release.version}, made ${release.createdAt}${release.createdBy ? ` by ${release.createdBy}` : ''}, with ${release.rowFilter === 'approved' ? 'approved rows only' : 'all rows'}.`, '');
  if (release.notes.trim()) lines.push(release.notes.trim(), '');
  return lines;
}

/** The previous release, its head, and what changed since (`diffSnapshots`). */
export interface SincePrevious {
  release: ReleaseRecord;
  head: SnapshotHead;
  diff: ReleaseDiff;
}

/** `release.rows` holds the number of rows of each sheet of `now`. */
export function changelogMarkdown(release: ReleaseRecord, now: SnapshotHead, previous?: SincePrevious): string {
  const lines = heading(release, now.dataset.name);
  if (!previous) {
    lines.push('The first release.', '');
    for (const sheet of now.sheets) {
      lines.push(`## ${sheet.name} (\`${sheet.id}\`)`, '', `${plural(release.rows[sheet.id] ?? 0, 'row')}, ${plural(sheet.columns.length, 'column')}.`, '');
    }
    return `${lines.join('\n').trimEnd()}\n`;
  }
  lines.push(`Changes since ${previous.release.version} (${previous.release.createdAt}).`, '');
  for (const [sheetId, rows] of Object.entries(previous.diff.sheets)) {
    const sheet = now.sheets.find((s) => s.id === sheetId);
    const was = previous.head.sheets.find((s) => s.id === sheetId);
    lines.push(`## ${sheet?.name ?? was?.name ?? sheetId} (\`${sheetId}\`)`, '');
    if (!was) lines.push('A new sheet.', '');
    if (!sheet) lines.push('The sheet was removed.', '');
    const columns = diffColumns(was?.columns ?? [], sheet?.columns ?? []);
    // Each changed row with its changed columns, grouped in one pass (a release may change many rows).
    const changedRows = new Map<string, string[]>();
    for (const c of rows.changed) changedRows.set(c.row, [...(changedRows.get(c.row) ?? []), c.column]);
    const items = [
      rows.added.length > 0 ? `- Rows added (${rows.added.length}): ${ids(rows.added)}` : null,
      rows.removed.length > 0 ? `- Rows removed (${rows.removed.length}): ${ids(rows.removed)}` : null,
      changedRows.size > 0 ? `- Rows changed (${changedRows.size}): ${[...changedRows].map(([row, columns]) =>
        `\`${row}\` (${columns.join(', ')})`).join(', ')}` : null,
      columns.added.length > 0 ? `- Columns added: ${columns.added.map((c) => `\`${c.id}\` (${c.name}, ${c.type})`).join(', ')}` : null,
      columns.removed.length > 0 ? `- Columns removed: ${columns.removed.map((c) => `\`${c.id}\` (${c.name})`).join(', ')}` : null,
      columns.changed.length > 0 ? `- Columns changed: ${columns.changed.map(({ column, fields, was: before }) =>
        `\`${column.id}\` (${fields.map((f) => (f === 'type' ? `type ${before.type} → ${column.type}` : f)).join(', ')})`).join(', ')}` : null,
    ].filter((l): l is string => l !== null);
    lines.push(...(items.length > 0 ? items : ['No changes.']), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
