import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Compressed } from './compressed';

/** Texts of every size, many filling a write buffer (a megabyte) part way, and some larger than one. */
const texts = (): string[] => {
  const out: string[] = [];
  for (let i = 0; i < 400; i++) out.push(`row ${i}, Brasília — 😀 "quoted"\n`.repeat(1 + ((i * 7919) % 3000)));
  out.splice(100, 0, 'x'.repeat(400_000), 'é'.repeat(2_000_000), 'y'.repeat(349_525));
  return out;
};

describe('a compressed file', () => {
  it('inflates to the text written, in order, whether or not each write was awaited', async () => {
    const written = texts();
    const file = Compressed.deflate();
    const pending: Promise<void>[] = [];
    for (const [i, text] of written.entries()) {
      if (i % 3 === 0) await file.write(text);
      else pending.push(file.write(text));
    }
    await Promise.all(pending);
    const { chunks, size, crc } = await file.end();
    const text = Buffer.from(written.join(''), 'utf8');
    const inflated = inflateRawSync(Buffer.concat(chunks));
    expect(inflated.equals(text)).toBe(true);
    expect(size).toBe(text.length);
    expect(crc).toBe(crc32(text));
  });
});
