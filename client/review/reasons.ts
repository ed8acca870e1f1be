/** How the UI names flag reasons and review statuses: codes stay codes in the API and exports. */
import type { ReviewStatus } from '../../model/document';

const KNOWN: Record<string, string> = {
  wrong_event_type: 'Wrong event type',
  wrong_actor: 'Wrong actor',
  wrong_date: 'Wrong date',
  wrong_location: 'Wrong location',
  duplicate: 'Duplicate',
  unsupported_by_source: 'Not supported by the source',
  quote_not_verbatim: 'Quote not verbatim',
  speaker_misattributed: 'Speaker misattributed',
  out_of_scope: 'Out of scope',
  missing_required: 'Required value missing',
  dead_link: 'Dead link',
  codebook_question: 'Codebook question',
  other: 'Other',
};

/** A reason's label; a team's own codes read as sentences (`needs_source` → "Needs source"). */
export function reasonLabel(code: string): string {
  const known = KNOWN[code];
  if (known) return known;
  const words = code.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const STATUS_LABELS: Record<ReviewStatus, string> = {
  unreviewed: 'Unreviewed',
  flagged: 'Flagged',
  approved: 'Approved',
};

/** "3 min ago", "yesterday", or a date: flags are read in the flow of a day's work. */
export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const hrs = Math.round(m / 60);
  if (hrs < 24) return `${hrs} h ago`;
  const days = Math.round(hrs / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return new Date(t).toLocaleDateString();
}
