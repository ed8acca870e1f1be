/**
 * A file compressed as it is written, text in and compressed bytes kept: a release of a million rows is
 * hundreds of megabytes of text, which never exists whole; only its compressed bytes are held. zlib
 * compresses in its own threads, so the event loop serves requests meanwhile. Deflate's output depends
 * only on the bytes written, not on how they were cut into writes: the same text is the same bytes.
 */
import { once } from 'node:events';
import { crc32, createDeflateRaw, createGzip, type DeflateRaw, type Gzip } from 'node:zlib';

/** Text gathered before it is handed to zlib: fewer, larger writes. */
const WRITE_CHARS = 256 * 1024;

export interface CompressedFile {
  /** The compressed bytes, in order. */
  chunks: Buffer[];
  /** Bytes of the text before compression (UTF-8). */
  size: number;
  /** CRC-32 of the bytes before compression, as a zip entry records it. */
  crc: number;
}

export class Compressed {
  private readonly chunks: Buffer[] = [];
  private pending: string[] = [];
  private pendingChars = 0;
  private size = 0;
  private crc = 0;

  private constructor(private readonly stream: Gzip | DeflateRaw) {
    stream.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  /** A raw deflate stream, as a zip entry holds it (level 6, as every release so far). */
  static deflate(): Compressed {
    return new Compressed(createDeflateRaw({ level: 6 }));
  }

  /** A gzip file. */
  static gzip(): Compressed {
    return new Compressed(createGzip({ level: 6 }));
  }

  /** Adds text; resolves once zlib is ready for more (so that what waits for it stays small). */
  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= WRITE_CHARS) await this.flushText();
  }

  async end(): Promise<CompressedFile> {
    await this.flushText();
    const ended = once(this.stream, 'end');
    this.stream.end();
    await ended;
    return { chunks: this.chunks, size: this.size, crc: this.crc };
  }

  private async flushText(): Promise<void> {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.size += bytes.length;
    this.crc = crc32(bytes, this.crc);
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }
}
