import { describe, expect, it } from 'vitest';
import { type Highlight, segmentText } from './highlights';

const pieces = (text: string, highlights: Array<Highlight<string>>) =>
  segmentText(text, highlights).map((s) => [text.slice(s.from, s.to), s.keys.sort().join('+')]);

describe('segmentText', () => {
  it('tiles the text: plain pieces around a highlight', () => {
    expect(pieces('abcdef', [{ start: 2, end: 4, key: 'r1' }])).toEqual([['ab', ''], ['cd', 'r1'], ['ef', '']]);
  });

  it('splits overlapping highlights into pieces covered by one or both', () => {
    expect(pieces('abcdefgh', [{ start: 1, end: 5, key: 'a' }, { start: 3, end: 7, key: 'b' }]))
      .toEqual([['a', ''], ['bc', 'a'], ['de', 'a+b'], ['fg', 'b'], ['h', '']]);
  });

  it('keeps two rows on the same passage on one piece, and a highlight nested inside another', () => {
    expect(pieces('0123456789', [{ start: 2, end: 8, key: 'x' }, { start: 2, end: 8, key: 'y' }, { start: 4, end: 5, key: 'z' }]))
      .toEqual([['01', ''], ['23', 'x+y'], ['4', 'x+y+z'], ['567', 'x+y'], ['89', '']]);
  });

  it('counts highlights in code points: an emoji before the passage is one', () => {
    const text = '😀 said “hello”';
    // Code points: 😀=0, space=1, s=2 … “=7, h=8 … o=12, ”=13
    expect(pieces(text, [{ start: 8, end: 13, key: 'q' }])).toEqual([['😀 said “', ''], ['hello', 'q'], ['”', '']]);
  });

  it('clips highlights past the end and drops empty ones', () => {
    expect(pieces('abc', [{ start: 1, end: 99, key: 'a' }, { start: 2, end: 2, key: 'e' }])).toEqual([['a', ''], ['bc', 'a']]);
  });

  it('gives the whole text as one plain piece without highlights, and nothing for an empty text', () => {
    expect(pieces('abc', [])).toEqual([['abc', '']]);
    expect(segmentText('', [])).toEqual([]);
  });
});
