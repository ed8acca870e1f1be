/**
 * Anchors into source texts. Offsets count Unicode code points of the text exactly as stored (end
 * exclusive, as Python's `text[start:end]`): a CRLF line end is two code points, an emoji one, and the
 * text is never normalised (NFC and NFD spellings of "é" are different texts with different offsets).
 */
import { type Anchor, isAnchor } from './columns';

export type { Anchor };
export { isAnchor };

/** A text indexed by code point, to slice a long text many times without scanning it again. */
export interface IndexedText {
  /** In code points. */
  readonly length: number;
  /** Code points `start` to `end` (end exclusive); the span must be inside the text. */
  slice(start: number, end: number): string;
}

/** A text's length in code points (a surrogate pair is one, a lone surrogate one too). */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * The UTF-16 offset of every code point of `text`, and of its end: entry `i` is where code point `i`
 * starts in the JavaScript string (what DOM selections count), the last entry is `text.length`.
 */
export function codeUnitOffsets(text: string): Uint32Array {
  const offsets = new Uint32Array(text.length + 1);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    offsets[n++] = i;
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  offsets[n] = text.length;
  return offsets.subarray(0, n + 1);
}

/** Indexes a text: the UTF-16 offset of every code point, 4 bytes per code point besides the text. */
export function indexText(text: string): IndexedText {
  const index = codeUnitOffsets(text);
  return { length: index.length - 1, slice: (start, end) => text.slice(index[start], index[end]) };
}

/**
 * Code points `start` to `end` (end exclusive) of `text`, or null when the span is not inside the text.
 */
export function codePointSlice(text: string | IndexedText, start: number, end: number): string | null {
  const indexed = typeof text === 'string' ? indexText(text) : text;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > indexed.length) return null;
  return indexed.slice(start, end);
}

/** Why `anchor` does not point at its `exact` text in `text` (the source's), or null if it does. */
export function anchorProblem(anchor: Anchor, text: string | IndexedText): string | null {
  const indexed = typeof text === 'string' ? indexText(text) : text;
  const length = indexed.length;
  const slice = codePointSlice(indexed, anchor.start, anchor.end);
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
