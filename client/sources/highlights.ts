/**
 * Highlight segments of a source text: the text cut at every anchor's start and end, each piece with
 * the anchors covering it. Overlapping anchors (two rows on one passage, a quote inside an excerpt)
 * make pieces covered by several; the pieces tile the text, so rendering them in order gives the text
 * back exactly. Offsets are code points in, UTF-16 offsets out (what a JavaScript string slices).
 */
import { codeUnitOffsets } from '../../model/anchors';

/** One anchored passage to highlight: code points `start` to `end` of the text, and whose it is. */
export interface Highlight<K> {
  start: number;
  end: number;
  key: K;
}

/** A piece of the text: UTF-16 offsets `from` to `to`, and the highlights covering all of it (none for plain text). */
export interface Segment<K> {
  from: number;
  to: number;
  keys: K[];
}

/**
 * Cuts `text` into segments at the highlights' ends. Highlights outside the text are clipped to it;
 * empty ones are left out. O((n + h) log h) for h highlights.
 */
export function segmentText<K>(text: string, highlights: ReadonlyArray<Highlight<K>>): Array<Segment<K>> {
  const offsets = codeUnitOffsets(text);
  const length = offsets.length - 1;
  const clipped = highlights
    .map((h) => ({ start: Math.max(0, h.start), end: Math.min(length, h.end), key: h.key }))
    .filter((h) => h.end > h.start);
  const cuts = new Set<number>([0, length]);
  for (const h of clipped) {
    cuts.add(h.start);
    cuts.add(h.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  // Sweep: highlights sorted by start enter as the sweep reaches them, and leave at their end.
  const byStart = [...clipped].sort((a, b) => a.start - b.start);
  const active: typeof clipped = [];
  let next = 0;
  const segments: Array<Segment<K>> = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    while (next < byStart.length && byStart[next]!.start <= start) active.push(byStart[next++]!);
    for (let j = active.length - 1; j >= 0; j--) if (active[j]!.end <= start) active.splice(j, 1);
    segments.push({ from: offsets[start]!, to: offsets[end]!, keys: active.map((h) => h.key) });
  }
  return segments;
}
