/**
 * A row's story in plain words: cell changes and the steps of its review ("Rita flagged this row:
 * wrong date — Is it Thursday?", "Approved by Olga", "Set back to unreviewed by Cora's edit"), and
 * who may do what in a flag's thread. Pure: no DOM, no requests.
 */
import type { CellValue } from '../../model/columns';
import type { TimelineEvent } from '../../model/http';
import { toText } from '../grid/values';
import { reasonLabel } from './reasons';
import type { FlagView } from './review-index';

/** Whoever made a change the server made itself. */
const SERVER = 'Tessera';

/** One line of a row's story. */
export interface StoryLine {
  kind: TimelineEvent['kind'];
  at: string;
  by: string | null;
  /** The whole line as a sentence. */
  text: string;
}

/** Names of a sheet's columns; an unknown id reads as itself. */
export type ColumnName = (columnId: string) => string;

/** A reason in the middle of a sentence: "wrong date", while "CAMEO question" keeps its capitals. */
function reasonInSentence(code: string): string {
  const label = reasonLabel(code);
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

/** A value in a sentence: quoted, on one line. */
function quoted(value: CellValue): string {
  return `“${toText(value).replace(/\s*\n+\s*/g, ' ⏎ ')}”`;
}

const isEmpty = (value: CellValue | undefined) => value === undefined || toText(value ?? null) === '';

/** What was flagged: "this row" or a column's name. */
function flaggedWhat(column: string | null, columnName: ColumnName): string {
  return column === null ? 'this row' : columnName(column);
}

/**
 * The sentence for one event. `flagReasons` names each flag by its reason, so that "resolved" says
 * which one.
 */
export function storyLine(event: TimelineEvent, columnName: ColumnName, flagReasons: ReadonlyMap<string, string> = new Map()): StoryLine {
  const who = event.by ?? SERVER;
  const line = (text: string): StoryLine => ({ kind: event.kind, at: event.at, by: event.by, text });
  switch (event.kind) {
    case 'cell': {
      // A merge of duplicates records which rows became which under `row_id` (docs/actors-and-duplicates.md).
      if (event.column === 'row_id') {
        const rows = (v: CellValue) => (Array.isArray(v) ? v.length : 1);
        return Array.isArray(event.old)
          ? line(`${who} merged ${rows(event.old)} duplicate row${rows(event.old) === 1 ? '' : 's'} into this row`)
          : line(`${who} merged this row into row ${toText(event.new)}`);
      }
      const column = columnName(event.column);
      if (isEmpty(event.old)) return line(`${who} set ${column} to ${quoted(event.new)}`);
      if (isEmpty(event.new)) return line(`${who} cleared ${column} (was ${quoted(event.old)})`);
      return line(`${who} changed ${column} from ${quoted(event.old)} to ${quoted(event.new)}`);
    }
    case 'flagged': {
      const head = `${who} flagged ${flaggedWhat(event.column, columnName)}: ${reasonInSentence(event.reason)}`;
      return line(event.note.trim() ? `${head} — ${event.note.trim()}` : head);
    }
    case 'answered':
      return line(`${who} answered: ${event.text}`);
    case 'fixed':
      return line(`${who} marked it fixed: ${event.text}`);
    case 'resolved': {
      const reason = flagReasons.get(event.flag);
      const head = `${who} resolved the flag${reason ? ` (${reasonInSentence(reason)})` : ''}`;
      return line(event.resolution.trim() ? `${head}: ${event.resolution.trim()}` : head);
    }
    case 'approved':
      return line(`Approved by ${who}`);
    case 'reset':
      return line(event.by === null ? 'Set back to unreviewed by an edit' : `Set back to unreviewed by ${event.by}’s edit`);
  }
}

/** A row's timeline (oldest first) as sentences, oldest first. */
export function storyLines(events: readonly TimelineEvent[], columnName: ColumnName): StoryLine[] {
  const reasons = new Map<string, string>();
  for (const e of events) if (e.kind === 'flagged') reasons.set(e.flag, e.reason);
  return events.map((e) => storyLine(e, columnName, reasons));
}

type ThreadStep = Extract<TimelineEvent, { kind: 'flagged' | 'answered' | 'fixed' | 'resolved' }>;

/**
 * A step of a flag's thread as its author's action and what they wrote: "flagged Event date: wrong
 * date" + the note, "answered" + the answer, "marked it fixed" + the note, "resolved the flag" + the
 * resolution.
 */
export function threadStep(step: ThreadStep, columnName: ColumnName): { action: string; body: string } {
  switch (step.kind) {
    case 'flagged':
      return { action: `flagged ${flaggedWhat(step.column, columnName)}: ${reasonInSentence(step.reason)}`, body: step.note.trim() };
    case 'answered':
      return { action: 'answered', body: step.text };
    case 'fixed':
      return { action: 'marked it fixed', body: step.text };
    case 'resolved':
      return { action: 'resolved the flag', body: step.resolution.trim() };
  }
}

/** A flag's thread as timeline steps, oldest first: flagged, answers and fixes, resolved. */
export function flagSteps(flag: Pick<FlagView, 'id' | 'by' | 'at' | 'column' | 'reason' | 'note' | 'comments' | 'status' | 'resolvedBy' | 'resolvedAt' | 'resolution'>): ThreadStep[] {
  const steps: ThreadStep[] = [
    { kind: 'flagged', at: flag.at, by: flag.by, flag: flag.id, column: flag.column, reason: flag.reason, note: flag.note },
    ...flag.comments.map((c): ThreadStep => ({ kind: c.kind === 'fixed' ? 'fixed' : 'answered', at: c.at, by: c.by, flag: flag.id, text: c.text })),
  ];
  if (flag.status === 'resolved') {
    steps.push({ kind: 'resolved', at: flag.resolvedAt ?? flag.at, by: flag.resolvedBy ?? null, flag: flag.id, resolution: flag.resolution ?? '' });
  }
  return steps;
}

/** What I know of who changed the row: the server's answer and my own latest edit in this tab. */
export interface CoderFacts {
  /** Everyone who changed a cell of the row since it was created or last approved (the server's review answer). */
  sinceApproval: readonly string[];
  /** Who changed a cell of the row, and when (the row's history). */
  changes: ReadonlyArray<{ by: string | null; at: string }>;
  /** When I last changed the row in this tab (ms), which the server's answers may not show yet. */
  myLastEdit?: number;
}

/**
 * Whether I coded the flagged row: I changed it since it was created or last approved, or since the
 * flag was raised. Its coder answers the flag or marks it fixed; the flag's author or another
 * reviewer resolves it. The author may always resolve their own flag.
 */
export function threadRole(flag: { by: string; at: string }, me: string, facts: CoderFacts): 'coder' | 'reviewer' {
  if (flag.by === me) return 'reviewer';
  if (facts.sinceApproval.includes(me)) return 'coder';
  const raised = Date.parse(flag.at);
  if (facts.myLastEdit !== undefined && facts.myLastEdit >= raised) return 'coder';
  return facts.changes.some((c) => c.by === me && Date.parse(c.at) >= raised) ? 'coder' : 'reviewer';
}

/** The line a coder reads instead of a Resolve button. */
export function coderNote(flagAuthor: string): string {
  return `You changed this row, so you answer the flag or mark it fixed; ${flagAuthor} (who raised it) or another reviewer resolves it.`;
}
