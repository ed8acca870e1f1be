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

  it('counts the sessions signed out', () => {
    expect(auditText(entry('user.signout', 'Ana', { sessions: 1 }))).toBe('signed Ana out (1 session)');
    expect(auditText(entry('user.signout', 'Ana', { sessions: 3 }))).toBe('signed Ana out (3 sessions)');
  });

  it('shows an action it does not know as stored, details included', () => {
    expect(auditText(entry('user.rename', 'Ana', { to: 'Anna' }))).toBe('user.rename Ana {"to":"Anna"}');
  });
});
