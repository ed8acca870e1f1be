import { describe, expect, it } from 'vitest';
import { distinctInitials, initialsTextColor, ownInitials } from './initials';

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

describe('the initials’ text colour', () => {
  const contrast = (a: string, b: string) => {
    const l = (hex: string) => {
      const [r, g, bl] = [1, 3, 5].map((i) => { const c = parseInt(hex.slice(i, i + 2), 16) / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
    };
    const [x, y] = [l(a), l(b)].sort((p, q) => q - p);
    return (x! + 0.05) / (y! + 0.05);
  };

  it('reaches 4.5:1 on every presence colour', () => {
    for (const color of ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#dc2626', '#0891b2', '#65a30d', '#c026d3', '#475569']) {
      expect(contrast(initialsTextColor(color), color), color).toBeGreaterThanOrEqual(4.5);
    }
    expect(initialsTextColor('#1f2430')).toBe('#ffffff');
    expect(initialsTextColor('#d97706')).toBe('#000000');
    expect(initialsTextColor('hsl(0 0% 0%)')).toBe('#ffffff');
  });
});
