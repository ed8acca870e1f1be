/**
 * A list too large to hold in memory, kept on disk as lines while it is built and read back in slices: an
 * import of a million records holds one slice at a time, not the file. Items are JSON lines unless the spool
 * is given its own line format (`Codec`): an import's new rows, say, whose cells are JSON text already and
 * would otherwise be escaped into a JSON string and read back out of it.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** How an item is written as one line (no line break in it) and read back. */
export interface Codec<T> {
  encode(item: T): string;
  decode(line: string): T;
}

const json: Codec<never> = { encode: (item) => JSON.stringify(item), decode: (line) => JSON.parse(line) as never };

export class Spool<T> {
  private out: WriteStream | null;
  count = 0;

  /** `dir`: the spool's own temporary folder, removed by `dispose`. */
  private constructor(readonly dir: string, private readonly file: string, private readonly codec: Codec<T>) {
    this.out = createWriteStream(file);
  }

  static async create<T>(codec: Codec<T> = json as Codec<T>): Promise<Spool<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-spool-'));
    return new Spool<T>(dir, join(dir, 'items.jsonl'), codec);
  }

  /** Adds an item; waits when the disk is behind. */
  async push(item: T): Promise<void> {
    this.count += 1;
    if (!this.out!.write(`${this.codec.encode(item)}\n`)) await once(this.out!, 'drain');
  }

  /** The items in the order they were pushed, `size` at a time; the spool takes no more items once read. */
  async *slices(size: number): AsyncIterable<T[]> {
    await this.finish();
    const lines = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    let slice: T[] = [];
    for await (const line of lines) {
      slice.push(this.codec.decode(line));
      if (slice.length === size) {
        yield slice;
        slice = [];
      }
    }
    if (slice.length > 0) yield slice;
  }

  /** Removes the spool's file. */
  async dispose(): Promise<void> {
    await this.finish();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async finish(): Promise<void> {
    if (!this.out) return;
    const out = this.out;
    this.out = null;
    out.end();
    await once(out, 'close');
  }
}
