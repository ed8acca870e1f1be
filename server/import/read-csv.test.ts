import { describe, expect, it } from 'vitest';
import { csvRecords } from './read-csv';

/** A body that arrives in chunks, as a large upload does. */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + size));
      offset += size;
    },
  });
}

describe('csvRecords', () => {
  it('reads a large file for a slow reader without piling up listeners on the parser', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const long = 'x'.repeat(500);
      const lines = ['a,b', ...Array.from({ length: 3000 }, (_, i) => `${i},"text ${i} ${long}"`)];
      let count = 0;
      for await (const record of csvRecords(chunked(lines.join('\r\n'), 65536))) {
        count += 1;
        if (count === 3001) expect(record.cells).toEqual(['2999', `text 2999 ${long}`]);
        // A slow reader: the parser fills up and the upload waits for it, many times.
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(count).toBe(3001);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
