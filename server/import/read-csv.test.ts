import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsvRecords } from './read-csv';

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

  it('reads fields, quotes and line breaks as RFC 4180 says, keeping stray quotes as text', async () => {
    const read = async (text: string) => {
      const records = [];
      for await (const record of csvRecords(chunked(text, 7))) records.push(record);
      return records;
    };
    expect(await read('\uFEFFa,b\r\n\r\n"c ""q"", d","multi\r\nline"\nHe said "hi",\r"x"y,\n,\nlast')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      // Line 2 is blank: no record, but it is counted.
      { line: 3, cells: ['c "q", d', 'multi\r\nline'] },
      { line: 4, cells: ['He said "hi"', ''] },
      { line: 5, cells: ['"x"y', ''] },
      // Line 6 holds only a comma.
      { line: 7, cells: ['last'] },
    ]);
    await expect(read('a\r\n"never closed\r\n')).rejects.toThrow(/not valid CSV/);
  });

  it('reads the same records however the text is cut into chunks', () => {
    const text = 'a,"b\r\nc""d",e\r\nf,g\rh,"i"\n"j"x,k\n,\n';
    const whole: string[][] = [];
    expect(parseCsvRecords(text, true, whole)).toBe(text.length);
    expect(whole).toEqual([['a', 'b\r\nc"d', 'e'], ['f', 'g'], ['h', 'i'], ['"j"x', 'k'], ['', '']]);
    for (let cut = 0; cut <= text.length; cut++) {
      const records: string[][] = [];
      const parsed = parseCsvRecords(text.slice(0, cut), false, records);
      parseCsvRecords(text.slice(parsed), true, records);
      expect(records, `cut at ${cut}`).toEqual(whole);
    }
  });
});
