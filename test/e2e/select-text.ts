/** Selecting a passage of the reading pane's text with the mouse, as a coder does (client/sources/pane.ts). */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Selects `passage` in the pane's text with the mouse: press before its first character, drag past its last. */
export async function dragSelect(page: Page, passage: string): Promise<void> {
  const text = page.getByTestId('source-text');
  const box = await text.evaluate((el, wanted) => {
    const at = (el.textContent ?? '').indexOf(wanted);
    const point = (offset: number) => {
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      let seen = 0;
      for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
        if (offset < seen + node.length) return { node, offset: offset - seen };
        seen += node.length;
      }
      throw new Error('offset past the text');
    };
    const rangeOf = (from: number, to: number) => {
      const range = document.createRange();
      const start = point(from);
      const end = point(to - 1);
      range.setStart(start.node, start.offset);
      range.setEnd(end.node, end.offset + 1);
      return range.getBoundingClientRect();
    };
    // The passage in the middle of the pane's text.
    const whole = rangeOf(at, at + wanted.length);
    const pane = el.getBoundingClientRect();
    el.scrollTop += whole.top - pane.top - (pane.height - whole.height) / 2;
    const first = rangeOf(at, at + 1);
    const last = rangeOf(at + wanted.length - 1, at + wanted.length);
    return { x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2 };
  }, passage);
  await page.mouse.move(box.x1, box.y1);
  await page.mouse.down();
  await page.mouse.move((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, { steps: 4 });
  await page.mouse.move(box.x2, box.y2, { steps: 4 });
  await page.mouse.up();
  expect(await page.evaluate(() => document.getSelection()?.toString())).toBe(passage);
}
