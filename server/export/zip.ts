/** Zip archives written as a stream (fflate): files go in one after another, chunk by chunk. */
import { Zip, ZipDeflate } from 'fflate';

export interface ZipEntry {
  name: string;
  /** The file's bytes, produced lazily, a chunk at a time. */
  chunks: () => AsyncIterator<Uint8Array>;
}

/**
 * The zip's bytes, produced as the files' chunks are pulled: at most one chunk of input and what
 * deflate made of it are held at a time, however large the files.
 */
export async function* zipChunks(entries: readonly ZipEntry[]): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, data) => {
    if (error) failure = error;
    else if (data.length > 0) out.push(data);
  });
  const drain = function* (): Generator<Uint8Array> {
    if (failure) throw failure;
    while (out.length > 0) yield out.shift()!;
  };
  const mtime = new Date();
  for (const entry of entries) {
    const file = new ZipDeflate(entry.name, { level: 6 });
    file.mtime = mtime;
    zip.add(file);
    const chunks = entry.chunks();
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      file.push(next.value);
      yield* drain();
    }
    file.push(new Uint8Array(0), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}
