import { describe, expect, it } from 'vitest';
import { distinctInitials, ownInitials } from './initials';

describe('avatar initials', () => {
  it('are a person’s own when no one else present shares them', () => {
    expect(ownInitials('Ana Ruiz')).toBe('AR');
    expect(ownInitials('coder1')).toBe('CO');
    expect(Object.fromEntries(distinctInitials(['Ana Ruiz', 'Ben Okafor', 'admin']))).toEqual({ 'Ana Ruiz': 'AR', 'Ben Okafor': 'BO', admin: 'AD' });
  });

  it('tell apart people whose own initials are alike', () => {
    expect(Object.fromEntries(distinctInitials(['coder1', 'coder2', 'admin']))).toEqual({ coder1: 'C1', coder2: 'C2', admin: 'AD' });
    expect(Object.fromEntries(distinctInitials(['Ana Ruiz', 'Alba Rios']))).toEqual({ 'Alba Rios': 'AS', 'Ana Ruiz': 'AZ' });
  });

  it('never give two people the same, whatever the names', () => {
    const names = ['coder', 'Coder', 'co der', 'cod', 'coder1', 'Carla Ortiz', 'co', 'c', 'CO'];
    const initials = [...distinctInitials(names).values()];
    expect(new Set(initials).size).toBe(names.length);
  });
});
