/**
 * A file compressed as it is written, text in and compressed bytes kept: a release of a million rows is
 * hundreds of megabytes of text, which never exists whole; only its compressed bytes are held. zlib
 * compresses in its own threads, so the event loop serves requests meanwhile. Deflate's output depends
 * only on the bytes written, not on how they were cut into writes: the same text is the same bytes.
 */
import { once } from 'node:events';
import { crc32, createDeflateRaw, createGzip, type DeflateRaw, type Gzip } from 'node:zlib';

/**
 * Bytes of text gathered before they are handed to zlib: fewer, larger writes. The text is encoded straight
 * into one of two buffers of this size, each used again once zlib has read it (a new buffer per write, as
 * `Buffer.from` makes, cost ten times the encoding: a million rows spent seconds allocating them).
 */
const WRITE_BYTES = 1024 * 1024;
/** Compressed bytes zlib hands back at a time: fewer, larger pieces to hold. */
const CHUNK_BYTES = 64 * 1024;
/** UTF-8 takes at most three bytes per UTF-16 code unit. */
const MAX_BYTES_PER_CHAR = 3;

export interface CompressedFile {
  /** The compressed bytes, in order. */
  chunks: Buffer[];
  /** Bytes of the text before compression (UTF-8). */
  size: number;
  /** CRC-32 of the bytes before compression, as a zip entry records it. */
  crc: number;
}

/** A buffer text is encoded into, and what zlib has yet to read of it. */
interface WriteBuffer {
  bytes: Buffer;
  read: Promise<void>;
}

const DONE = Promise.resolve();

export class Compressed {
  private readonly chunks: Buffer[] = [];
  private readonly buffers: WriteBuffer[] = [
    { bytes: Buffer.allocUnsafe(WRITE_BYTES), read: DONE },
    { bytes: Buffer.allocUnsafe(WRITE_BYTES), read: DONE },
  ];
  /** The buffer being filled, and its bytes so far. */
  private current = 0;
  private used = 0;
  /** Set while a write waits for zlib: the writes after it wait their turn, so the text keeps its order. */
  private waiting: Promise<void> | null = null;
  private size = 0;
  private crc = 0;

  private constructor(private readonly stream: Gzip | DeflateRaw) {
    stream.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  /** A raw deflate stream, as a zip entry holds it (level 6, as every release so far). */
  static deflate(): Compressed {
    return new Compressed(createDeflateRaw({ level: 6, chunkSize: CHUNK_BYTES }));
  }

  /** A gzip file. */
  static gzip(): Compressed {
    return new Compressed(createGzip({ level: 6, chunkSize: CHUNK_BYTES }));
  }

  /** Adds text; resolves once zlib is ready for more (so that what waits for it stays small). */
  write(text: string): Promise<void> {
    if (this.waiting) return this.waiting.then(() => this.write(text));
    if (text.length * MAX_BYTES_PER_CHAR <= WRITE_BYTES - this.used) {
      this.used += this.buffers[this.current]!.bytes.write(text, this.used, 'utf8');
      return DONE;
    }
    this.waiting = this.flush(text).finally(() => { this.waiting = null; });
    return this.waiting;
  }

  async end(): Promise<CompressedFile> {
    while (this.waiting) await this.waiting;
    await this.flush();
    const ended = once(this.stream, 'end');
    this.stream.end();
    await ended;
    return { chunks: this.chunks, size: this.size, crc: this.crc };
  }

  /**
   * Hands the buffer being filled to zlib and waits until the other one is free to fill; then `text`, if
   * given, goes into it (or to zlib on its own, when larger than a buffer).
   */
  private async flush(text?: string): Promise<void> {
    if (this.used > 0) {
      const buffer = this.buffers[this.current]!;
      const bytes = buffer.bytes.subarray(0, this.used);
      buffer.read = new Promise((resolve, reject) => this.stream.write(bytes, (error) => (error ? reject(error) : resolve())));
      // A failed write is thrown where the buffer is next awaited.
      buffer.read.catch(() => undefined);
      this.count(bytes);
      this.current = 1 - this.current;
      this.used = 0;
      await this.buffers[this.current]!.read;
    }
    if (text === undefined) return;
    if (text.length * MAX_BYTES_PER_CHAR <= WRITE_BYTES) {
      this.used = this.buffers[this.current]!.bytes.write(text, 0, 'utf8');
      return;
    }
    const bytes = Buffer.from(text, 'utf8');
    this.count(bytes);
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }

  private count(bytes: Buffer): void {
    this.size += bytes.length;
    this.crc = crc32(bytes, this.crc);
  }
}
