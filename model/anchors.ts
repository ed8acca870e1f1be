/**
 * Anchors into source texts. Offsets count Unicode code points of the text exactly as stored (end
 * exclusive, as Python's `text[start:end]`): a CRLF line end is two code points, an emoji one, and the
 * text is never normalised (NFC and NFD spellings of "é" are different texts with different offsets).
 */
import { type Anchor, isAnchor } from './columns';

export type { Anchor };
export { isAnchor };

/** A text as its code points, the form offsets index. */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/**
 * Code points `start` to `end` (end exclusive) of `text`, or null when the span is not inside the
 * text. `text` may be given as its code points, to slice a long text many times.
 */
export function codePointSlice(text: string | readonly string[], start: number, end: number): string | null {
  const points = typeof text === 'string' ? codePoints(text) : text;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > points.length) return null;
  return points.slice(start, end).join('');
}

/** Why `anchor` does not point at its `exact` text in `text` (the source's), or null if it does. */
export function anchorProblem(anchor: Anchor, text: string | readonly string[]): string | null {
  const length = typeof text === 'string' ? codePoints(text).length : text.length;
  const slice = codePointSlice(text, anchor.start, anchor.end);
  if (slice === null) {
    return `anchor ${anchorLabel(anchor)} is outside source "${anchor.source}" (${length} code points)`;
  }
  return slice === anchor.exact ? null : `anchor ${anchorLabel(anchor)}: "exact" is not the text of source "${anchor.source}" there`;
}

/** An anchor as `sourceId:start-end` (how CSV exports and the grid write it). */
export function anchorLabel(anchor: Anchor): string {
  return `${anchor.source}:${anchor.start}-${anchor.end}`;
}

/** The anchors of a cell value: a list of anchors, or nothing for any other value. */
export function anchorsOf(value: unknown): Anchor[] {
  return Array.isArray(value) && value.length > 0 && value.every(isAnchor) ? value : [];
}
