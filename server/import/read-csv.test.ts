import { describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS } from './limits';
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

describe('csvRecords, refusing', () => {
  const collect = async (body: ReadableStream<Uint8Array>) => {
    const records = [];
    for await (const record of csvRecords(body)) records.push(record);
    return records;
  };

  it('refuses a record longer than a record may be, without waiting for the end of the file', async () => {
    // A quote never closed makes the rest of the file one field: refused once it passes the limit.
    let pulled = 0;
    const chunk = new TextEncoder().encode('x'.repeat(65536));
    const endless = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('a,b\r\n1,"never closed '));
      },
      pull(controller) {
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    await expect(collect(endless)).rejects.toThrow(/not valid CSV/);
    expect(pulled).toBeGreaterThan(MAX_RECORD_CHARS);
    expect(pulled).toBeLessThan(MAX_RECORD_CHARS * 2);
  });

  it('refuses bytes that are not UTF-8 after records that were', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('notes\r\nfine\r\n'), 0xe9, 0x74, 0xe9, 0x0d, 0x0a]);
    const seen: string[] = [];
    await expect((async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 4) controller.enqueue(bytes.subarray(i, i + 4));
          controller.close();
        },
      });
      for await (const record of csvRecords(body)) seen.push(String(record.cells[0]));
    })()).rejects.toThrow(/not UTF-8/);
    expect(seen[0]).toBe('notes');
  });

  it('stops reading the upload when the reader stops early', async () => {
    let cancelled = false;
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls += 1;
        controller.enqueue(new TextEncoder().encode(pulls === 1 ? 'a,b\r\n' : '1,2\r\n'.repeat(1000)));
      },
      cancel() {
        cancelled = true;
      },
    });
    let read = 0;
    for await (const record of csvRecords(endless)) {
      read += 1;
      if (record.line === 3) break;
    }
    expect(read).toBe(3);
    expect(cancelled).toBe(true);
  });
});
