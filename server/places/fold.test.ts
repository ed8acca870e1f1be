import { describe, expect, it } from 'vitest';
import { asciiName, fold } from './fold';

describe('fold', () => {
  it('matches ASCII and native spellings alike: case, accents, punctuation and spaces', () => {
    expect(fold('São Paulo')).toBe('sao paulo');
    expect(fold('Sao Paulo')).toBe('sao paulo');
    expect(fold('  SÃO-PAULO ')).toBe('sao paulo');
    expect(fold('Côte d’Ivoire')).toBe('cote d ivoire');
    expect(fold("Cote d'Ivoire")).toBe('cote d ivoire');
    expect(fold('Gyeonggi-do')).toBe(fold('gyeonggi do'));
  });

  it('spells out letters that do not decompose', () => {
    expect(fold('Łódź')).toBe('lodz');
    expect(fold('Straße')).toBe('strasse');
    expect(fold('Tórshavn')).toBe('torshavn');
    expect(fold('Ærøskøbing')).toBe('aeroskobing');
    expect(fold('Diyarbakır')).toBe('diyarbakir');
  });

  it('keeps other scripts, folded the same way each time', () => {
    expect(fold('서울')).toBe(fold('서울'));
    expect(fold('서울')).not.toBe('');
    expect(fold('평양시')).toMatch(new RegExp(`^${fold('평양')}`));
    expect(fold('Москва')).toBe('москва');
  });
});

describe('asciiName', () => {
  it('drops accents where that gives plain ASCII, and keeps a name in another script', () => {
    expect(asciiName('São Paulo')).toBe('Sao Paulo');
    expect(asciiName('Côte d\'Ivoire')).toBe('Cote d\'Ivoire');
    expect(asciiName('Åland Islands')).toBe('Aland Islands');
    expect(asciiName('Ærø')).toBe('AEro');
    expect(asciiName('서울')).toBe('서울');
  });
});
