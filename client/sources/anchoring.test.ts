import { describe, expect, it } from 'vitest';
import { anchorProblem, codePointSlice } from '../../model/anchors';
import { anchorFromOffsets } from './anchoring';

describe('anchorFromOffsets', () => {
  it('counts code points: a passage after an emoji starts one earlier than its UTF-16 offset', () => {
    const text = 'Smile 😀😀 then “All parties concerned” said Liu';
    const from = text.indexOf('All');
    const anchor = anchorFromOffsets('s1', text, from, from + 'All parties concerned'.length)!;
    expect(anchor).toEqual({ source: 's1', start: from - 2, end: from - 2 + 21, exact: 'All parties concerned' });
    expect(codePointSlice(text, anchor.start, anchor.end)).toBe('All parties concerned');
    expect(anchorProblem(anchor, text)).toBeNull();
  });

  it('counts a CRLF line end as two code points and keeps it inside a passage', () => {
    const text = 'first line\r\nsecond line\r\nthird';
    const from = text.indexOf('line\r\nsecond');
    const anchor = anchorFromOffsets('s', text, from, from + 'line\r\nsecond'.length)!;
    expect(anchor.exact).toBe('line\r\nsecond');
    expect(anchor.start).toBe(6);
    expect(anchor.end).toBe(18);
    expect(anchorProblem(anchor, text)).toBeNull();
  });

  it('takes in a whole emoji when the selection ends or starts inside its surrogate pair', () => {
    const text = 'ab😀cd';
    expect(anchorFromOffsets('s', text, 0, 3)).toEqual({ source: 's', start: 0, end: 3, exact: 'ab😀' });
    expect(anchorFromOffsets('s', text, 3, 6)).toEqual({ source: 's', start: 2, end: 5, exact: '😀cd' });
  });

  it('leaves surrounding blanks and line ends out, and gives null for a blank selection', () => {
    const text = 'x \r\n  quoted words \r\n y';
    const anchor = anchorFromOffsets('s', text, 1, text.length - 1)!;
    expect(anchor.exact).toBe('quoted words');
    expect(anchorProblem(anchor, text)).toBeNull();
    expect(anchorFromOffsets('s', text, 1, 4)).toBeNull();
  });

  it('accepts a selection made backwards', () => {
    expect(anchorFromOffsets('s', 'hello world', 11, 6)?.exact).toBe('world');
  });
});
