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

/** Characters of lines gathered before they are written. */
const FLUSH_CHARS = 64 * 1024;

const json: Codec<never> = { encode: (item) => JSON.stringify(item), decode: (line) => JSON.parse(line) as never };

export class Spool<T> {
  private out: WriteStream | null;
  /** Lines not yet handed to the file. */
  private pending = '';
  count = 0;

  /** `dir`: the spool's own temporary folder, removed by `dispose`. */
  private constructor(readonly dir: string, private readonly file: string, private readonly codec: Codec<T>) {
    this.out = createWriteStream(file);
  }

  static async create<T>(codec: Codec<T> = json as Codec<T>): Promise<Spool<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-spool-'));
    return new Spool<T>(dir, join(dir, 'items.jsonl'), codec);
  }

  /**
   * Adds an item. Lines are written FLUSH_CHARS at a time, not one write each; a promise comes back only when
   * the disk is behind, to be awaited before the next (a promise per item would be a turn of the microtask
   * queue per item).
   */
  push(item: T): Promise<void> | undefined {
    this.count += 1;
    this.pending += `${this.codec.encode(item)}\n`;
    return this.pending.length < FLUSH_CHARS ? undefined : this.flush();
  }

  private flush(): Promise<void> | undefined {
    const text = this.pending;
    this.pending = '';
    if (text === '' || this.out!.write(text)) return undefined;
    return once(this.out!, 'drain').then(() => undefined);
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
    await this.flush();
    const out = this.out;
    this.out = null;
    out.end();
    await once(out, 'close');
  }
}
