import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../../model/http';
import { coderNote, flagSteps, storyLine, storyLines, threadRole, threadStep } from './timeline-text';

const names: Record<string, string> = { event_date: 'Event date', summary: 'Summary', context: 'Context' };
const columnName = (id: string) => names[id] ?? id;
const at = '2024-02-22T10:00:00.000Z';
const later = '2024-02-22T11:00:00.000Z';
const text = (e: TimelineEvent) => storyLine(e, columnName).text;

describe("a row's story in plain words", () => {
  it('says who flagged what, for which reason, with the note', () => {
    expect(text({ kind: 'flagged', at, by: 'Rita', flag: 'f1', column: null, reason: 'wrong_date', note: 'Is it Thursday?' }))
      .toBe('Rita flagged this row: wrong date — Is it Thursday?');
    expect(text({ kind: 'flagged', at, by: 'Rita', flag: 'f1', column: 'event_date', reason: 'codebook_question', note: '  ' }))
      .toBe('Rita flagged Event date: codebook question');
    // A team's own reason code reads as words.
    expect(text({ kind: 'flagged', at, by: 'Rita', flag: 'f1', column: null, reason: 'needs_source', note: '' }))
      .toBe('Rita flagged this row: needs source');
  });

  it('says who merged duplicate rows, on the kept row and on the merged one', () => {
    expect(text({ kind: 'cell', at, by: 'Mia', column: 'row_id', old: ['B', 'C'], new: 'A' })).toBe('Mia merged 2 duplicate rows into this row');
    expect(text({ kind: 'cell', at, by: 'Mia', column: 'row_id', old: 'B', new: 'A' })).toBe('Mia merged this row into row A');
  });

  it('says who answered, marked it fixed and resolved, naming the flag resolved by its reason', () => {
    expect(text({ kind: 'answered', at, by: 'Cora', flag: 'f1', text: 'Yes, Thursday.' })).toBe('Cora answered: Yes, Thursday.');
    expect(text({ kind: 'fixed', at, by: 'Cora', flag: 'f1', text: 'Changed to 2024-02-22.' })).toBe('Cora marked it fixed: Changed to 2024-02-22.');
    const lines = storyLines([
      { kind: 'flagged', at, by: 'Rita', flag: 'f1', column: null, reason: 'wrong_date', note: '' },
      { kind: 'resolved', at: later, by: 'Rita', flag: 'f1', resolution: 'Thanks.' },
      { kind: 'resolved', at: later, by: 'Olga', flag: 'f2', resolution: '' },
    ], columnName);
    expect(lines.map((l) => l.text)).toEqual(['Rita flagged this row: wrong date', 'Rita resolved the flag (wrong date): Thanks.', 'Olga resolved the flag']);
    expect(lines.map((l) => [l.kind, l.by, l.at])).toEqual([['flagged', 'Rita', at], ['resolved', 'Rita', later], ['resolved', 'Olga', later]]);
  });

  it('says who approved the row, and whose edit set it back to unreviewed', () => {
    expect(text({ kind: 'approved', at, by: 'Olga' })).toBe('Approved by Olga');
    expect(text({ kind: 'reset', at, by: 'Cora' })).toBe('Set back to unreviewed by Cora’s edit');
    expect(text({ kind: 'reset', at, by: null })).toBe('Set back to unreviewed by an edit');
  });

  it('says what a cell change set, changed or cleared, quoting the values on one line', () => {
    expect(text({ kind: 'cell', at, by: 'Cora', column: 'event_date', old: null, new: '2024-02-22' })).toBe('Cora set Event date to “2024-02-22”');
    expect(text({ kind: 'cell', at, by: 'Cora', column: 'event_date', old: '2024-02-21', new: '2024-02-22' }))
      .toBe('Cora changed Event date from “2024-02-21” to “2024-02-22”');
    expect(text({ kind: 'cell', at, by: 'Cora', column: 'summary', old: 'One.\nTwo.', new: '' })).toBe('Cora cleared Summary (was “One. ⏎ Two.”)');
    expect(text({ kind: 'cell', at, by: 'Cora', column: 'context', old: [], new: ['military', 'cbrn'] })).toBe('Cora set Context to “military; cbrn”');
    expect(text({ kind: 'cell', at, by: null, column: 'gone', old: 'x', new: 'y' })).toBe('Tessera changed gone from “x” to “y”');
  });
});

describe("a flag's thread as steps", () => {
  it('lists flagged, the answers and fixes, and resolved, in order', () => {
    const steps = flagSteps({
      id: 'f1', by: 'Rita', at, column: 'event_date', reason: 'wrong_date', note: 'Thursday?', status: 'resolved',
      comments: [
        { id: 'c1', by: 'Cora', at: '2024-02-22T10:10:00.000Z', text: 'Checking' },
        { id: 'c2', by: 'Cora', at: '2024-02-22T10:20:00.000Z', text: 'Fixed it', kind: 'fixed' },
      ],
      resolvedBy: 'Rita', resolvedAt: later, resolution: 'Good',
    });
    expect(steps.map((s) => [s.kind, s.by])).toEqual([['flagged', 'Rita'], ['answered', 'Cora'], ['fixed', 'Cora'], ['resolved', 'Rita']]);
    expect(steps[3]).toMatchObject({ at: later, resolution: 'Good' });
    expect(steps.map((s) => threadStep(s, columnName))).toEqual([
      { action: 'flagged Event date: wrong date', body: 'Thursday?' },
      { action: 'answered', body: 'Checking' },
      { action: 'marked it fixed', body: 'Fixed it' },
      { action: 'resolved the flag', body: 'Good' },
    ]);
  });

  it('has no resolved step while the flag is open', () => {
    const steps = flagSteps({ id: 'f1', by: 'Rita', at, column: null, reason: 'other', note: '', status: 'open', comments: [] });
    expect(steps.map((s) => s.kind)).toEqual(['flagged']);
  });
});

describe('who resolves a flag and who answers it', () => {
  const flag = { by: 'Rita', at };
  const none = { sinceApproval: [], changes: [] };

  it('makes a reviewer who did not touch the row the one who may resolve', () => {
    expect(threadRole(flag, 'Olga', none)).toBe('reviewer');
    // Olga changed the row before it was flagged, and it has been approved since: not its coder now.
    expect(threadRole(flag, 'Olga', { sinceApproval: ['Cora'], changes: [{ by: 'Olga', at: '2024-02-21T09:00:00.000Z' }] })).toBe('reviewer');
  });

  it('makes whoever changed the row since it was last approved its coder', () => {
    expect(threadRole(flag, 'Cora', { sinceApproval: ['Cora'], changes: [] })).toBe('coder');
  });

  it('makes whoever changed the row since the flag was raised its coder, from the history or my own edit not yet stored', () => {
    expect(threadRole(flag, 'Olga', { sinceApproval: [], changes: [{ by: 'Olga', at: later }] })).toBe('coder');
    expect(threadRole(flag, 'Olga', { ...none, myLastEdit: Date.parse(later) })).toBe('coder');
    expect(threadRole(flag, 'Olga', { ...none, myLastEdit: Date.parse(at) - 1 })).toBe('reviewer');
  });

  it('lets the flag’s author resolve it even after changing the row', () => {
    expect(threadRole(flag, 'Rita', { sinceApproval: ['Rita'], changes: [{ by: 'Rita', at: later }] })).toBe('reviewer');
  });

  it('tells the coder why there is no Resolve, naming who raised the flag', () => {
    expect(coderNote('Rita')).toMatch(/answer the flag or mark it fixed; Rita .*resolves it/);
  });
});
