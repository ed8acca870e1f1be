import { describe, expect, it } from 'vitest';
import { auditText } from './audit-text';

const entry = (action: string, target: string, detail: Record<string, unknown> = {}) => ({ at: '2026-12-01T10:00:00.000Z', by: 'Ada', action, target, detail });

describe('auditText', () => {
  it('names the user and both roles of a role change', () => {
    expect(auditText(entry('user.role', 'Ana', { from: 'editor', to: 'viewer' }))).toBe('changed Ana’s role from editor to viewer');
  });

  it('names the member, the role and the dataset of a membership', () => {
    expect(auditText(entry('member.set', 'team-a', { user: 'Ben', role: 'reviewer' }))).toBe('made Ben reviewer on the dataset team-a');
    expect(auditText(entry('member.remove', 'team-a', { user: 'Ben' }))).toBe('removed Ben from the dataset team-a');
  });

  it('says which way the access of a dataset was switched', () => {
    expect(auditText(entry('dataset.access', 'team-a', { from: 'everyone', to: 'members' }))).toBe('opened the dataset team-a to its members only');
    expect(auditText(entry('dataset.access', 'team-a', { from: 'members', to: 'everyone' }))).toBe('opened the dataset team-a to everyone');
  });

  it('says how many rows a dataset converted to rows by page held', () => {
    expect(auditText(entry('dataset.convert', 'korea', { layout: 'rows', rows: { events: 9, statements: 5 } })))
      .toBe('converted the dataset korea to rows by page (14 rows)');
  });

  it('names a dataset created, archived, restored, and deleted with what went with it', () => {
    expect(auditText(entry('dataset.create', 'korea', { name: 'Korea 2024', template: 'blank' }))).toBe('created the dataset korea (Korea 2024)');
    expect(auditText(entry('dataset.archive', 'korea', { name: 'Korea 2024' }))).toBe('archived the dataset korea');
    expect(auditText(entry('dataset.restore', 'korea', { name: 'Korea 2024' }))).toBe('restored the dataset korea from the archive');
    expect(auditText(entry('dataset.delete', 'korea', {
      name: 'Korea 2024', sheets: [{ id: 'events', name: 'Events', rows: 9 }, { id: 'statements', name: 'Statements', rows: 5 }],
      releases: 1, sources: 0, rounds: 2,
    }))).toBe('deleted the dataset korea (Korea 2024) with 14 rows in 2 sheets, 1 release, no sources, 2 rounds');
  });

  it('counts the sessions signed out', () => {
    expect(auditText(entry('user.signout', 'Ana', { sessions: 1 }))).toBe('signed Ana out (1 session)');
    expect(auditText(entry('user.signout', 'Ana', { sessions: 3 }))).toBe('signed Ana out (3 sessions)');
  });

  it('shows an action it does not know as stored, details included', () => {
    expect(auditText(entry('user.rename', 'Ana', { to: 'Anna' }))).toBe('user.rename Ana {"to":"Anna"}');
  });
});
