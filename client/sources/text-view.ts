/**
 * A source's text in the page, its anchored passages as `<mark>`s. The text nodes, in order, are the
 * source's text exactly (CSS keeps its blanks and line ends), so a selection's offsets in the page are
 * offsets in the text (see anchoring.ts).
 */
import type { RowAnchor } from './evidence-index';
import { segmentText } from './highlights';

/**
 * Draws `text` into `container` with a mark per highlighted piece: `data-rows` lists the rows
 * (`sheet/row`) whose anchors cover it, `current` marks the pieces of the row `focused`, and the depth
 * class how many rows overlap there.
 */
export function renderHighlights(
  container: HTMLElement, text: string, anchors: readonly RowAnchor[], focused: string | null,
  rowLabel: (sheet: string, row: string) => string | null,
): void {
  const segments = segmentText(text, anchors.map((a) => ({ start: a.anchor.start, end: a.anchor.end, key: `${a.sheet}/${a.row}` })));
  const labels = new Map<string, string>();
  const labelOf = (key: string) => {
    let label = labels.get(key);
    if (label === undefined) {
      const slash = key.indexOf('/');
      label = rowLabel(key.slice(0, slash), key.slice(slash + 1)) ?? 'a deleted row';
      labels.set(key, label);
    }
    return label;
  };
  const fragment = document.createDocumentFragment();
  for (const segment of segments) {
    const piece = text.slice(segment.from, segment.to);
    if (segment.keys.length === 0) {
      fragment.append(piece);
      continue;
    }
    const rows = [...new Set(segment.keys)];
    const mark = document.createElement('mark');
    mark.className = `evidence depth-${Math.min(rows.length, 3)}${focused !== null && rows.includes(focused) ? ' current' : ''}`;
    mark.dataset.rows = rows.join(' ');
    mark.title = rows.length === 1
      ? `${labelOf(rows[0]!)} — click to show the row`
      : `${rows.length} rows: ${rows.map(labelOf).join('; ')} — click for the next`;
    mark.textContent = piece;
    fragment.append(mark);
  }
  container.replaceChildren(fragment);
}

/** Selects UTF-16 offsets `from` to `to` of the text shown in `container` (as rendered above). */
export function selectOffsets(container: HTMLElement, from: number, to: number): void {
  const start = pointAt(container, from);
  const end = pointAt(container, to);
  if (!start || !end) return;
  const range = document.createRange();
  range.setStart(start.node, start.offset);
  range.setEnd(end.node, end.offset);
  const selection = document.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

function pointAt(container: HTMLElement, offset: number): { node: Text; offset: number } | null {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
    if (offset <= seen + node.length) return { node, offset: offset - seen };
    seen += node.length;
  }
  return null;
}
