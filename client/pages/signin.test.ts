import { describe, expect, it } from 'vitest';
import { safeNext } from './signin';

const ORIGIN = 'https://tessera.example.org';

describe('safeNext', () => {
  it.each(['/d/demo/events', '/d/demo?sheet=events', '/admin#users', 'd/demo'])('follows a path on this site: %s', (next) => {
    expect(new URL(safeNext(next, ORIGIN), ORIGIN).origin).toBe(ORIGIN);
    expect(safeNext(next, ORIGIN)).toBe(new URL(next, ORIGIN).href.slice(ORIGIN.length));
  });

  it.each([
    '/\\evil.example/x', '//evil.example/x', '/\t/evil.example', '\\\\evil.example', 'https://evil.example/',
    'javascript:alert(1)', 'http://tessera.example.org/', 'https://tessera.example.org.evil.example/',
  ])('goes home instead of leaving the site: %j', (next) => {
    expect(safeNext(next, ORIGIN)).toBe('/');
  });

  it('keeps a full address on this very origin as its path', () => {
    expect(safeNext(`${ORIGIN}/d/demo`, ORIGIN)).toBe('/d/demo');
    expect(safeNext(null, ORIGIN)).toBe('/');
  });
});
