/**
 * A selection in a source's text as an anchor. The browser counts a selection in UTF-16 code units;
 * anchors count code points (an emoji is one, a CRLF two). Surrounding blanks are left out of the
 * passage, and an end inside a surrogate pair takes in the whole character.
 */
import { type Anchor, codePointLength } from '../../model/anchors';

/**
 * The anchor for UTF-16 offsets `from` to `to` of `text` (source `source`), or null for a selection of
 * nothing but blanks.
 */
export function anchorFromOffsets(source: string, text: string, from: number, to: number): Anchor | null {
  let start = Math.max(0, Math.min(from, to));
  let end = Math.min(text.length, Math.max(from, to));
  // Never split a surrogate pair: a start on its second half moves back, an end on it moves on.
  if (start > 0 && isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) start--;
  if (end < text.length && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1))) end++;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (start === end) return null;
  const exact = text.slice(start, end);
  const cpStart = codePointLength(text.slice(0, start));
  return { source, start: cpStart, end: cpStart + codePointLength(exact), exact };
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * Where a DOM range falls in the text shown by `container` (whose text nodes, in order, are exactly the
 * source's text): UTF-16 offsets, or null when the range is not inside it.
 */
export function rangeOffsets(container: Node, range: Range): { from: number; to: number } | null {
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(container, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const from = before.toString().length;
  return { from, to: from + range.toString().length };
}
