import { describe, expect, it } from 'vitest';
import { anchorLabel, anchorProblem, anchorsOf, codePointLength, codePointSlice, indexText } from './anchors';

describe('codePointSlice', () => {
  it('counts code points, so an emoji before the quote is one position, not two UTF-16 units', () => {
    const text = '👍 “Yes,” she said.';
    expect(codePointSlice(text, 2, 8)).toBe('“Yes,”');
    // The same span by UTF-16 indices is off by one: the emoji is two units there.
    expect(text.slice(2, 8)).not.toBe('“Yes,”');
  });

  it('counts astral characters of other scripts as one code point each', () => {
    const text = '𠮷野家 and 김정은 (金正恩)';
    expect(codePointSlice(text, 0, 3)).toBe('𠮷野家');
    expect(codePointSlice(text, 8, 11)).toBe('김정은');
  });

  it('counts the text as stored: CRLF is two code points, nothing is normalised', () => {
    const text = 'line one\r\nline two';
    expect(codePointSlice(text, 10, 18)).toBe('line two');
    expect(codePointSlice(text.replace(/\r\n/g, '\n'), 10, 17)).toBe('ine two');
  });

  it('is null for a span outside the text or backwards', () => {
    expect(codePointSlice('abc', 0, 4)).toBeNull();
    expect(codePointSlice('abc', 2, 1)).toBeNull();
    expect(codePointSlice('abc', -1, 1)).toBeNull();
    expect(codePointSlice('abc', 3, 3)).toBe('');
  });
});

describe('anchorProblem', () => {
  const text = '🇰🇷 Seoul said: “We are ready.”\r\nMore.';

  it('accepts an exact slice, even after a two-code-point flag emoji', () => {
    const exact = '“We are ready.”';
    const start = Array.from(text).indexOf('“');
    expect(start).toBe(15);
    expect(anchorProblem({ source: 's', start, end: start + Array.from(exact).length, exact }, text)).toBeNull();
  });

  it('refuses an exact text that is not the slice', () => {
    expect(anchorProblem({ source: 's', start: 15, end: 30, exact: '"We are ready."' }, text)).toMatch(/not the text/);
  });

  it('refuses a span past the end of the text', () => {
    expect(anchorProblem({ source: 's', start: 30, end: 40, exact: 'x'.repeat(10) }, text)).toMatch(/outside/);
  });

  it('keeps NFC and NFD apart: the text is stored as given', () => {
    const nfc = 'Café';
    const nfd = 'Cafe\u0301';
    expect(anchorProblem({ source: 's', start: 0, end: 4, exact: nfc }, nfc)).toBeNull();
    expect(anchorProblem({ source: 's', start: 0, end: 4, exact: nfc }, nfd)).toMatch(/not the text/);
    expect(anchorProblem({ source: 's', start: 0, end: 5, exact: nfd }, nfd)).toBeNull();
  });

  it('takes an indexed text too, with astral characters and a lone surrogate counted like Python counts them', () => {
    const indexed = indexText('a😀b\uD800c');
    expect(indexed.length).toBe(5);
    expect(codePointLength('a😀b\uD800c')).toBe(5);
    expect(codePointLength('\uDC00\uD800')).toBe(2);
    expect(codePointLength('🇰🇷')).toBe(Array.from('🇰🇷').length);
    expect(anchorProblem({ source: 's', start: 1, end: 3, exact: '😀b' }, indexed)).toBeNull();
    expect(anchorProblem({ source: 's', start: 4, end: 5, exact: 'c' }, indexed)).toBeNull();
  });
});

describe('anchorsOf and anchorLabel', () => {
  it('finds anchors only in a list of anchors', () => {
    const a = { source: 'S1', start: 10, end: 12, exact: 'ab' };
    expect(anchorsOf([a])).toEqual([a]);
    expect(anchorsOf(['x'])).toEqual([]);
    expect(anchorsOf('S1:10-12')).toEqual([]);
    expect(anchorLabel(a)).toBe('S1:10-12');
  });
});
