/**
 * Just enough of the zip format to read a workbook safely: the central directory is read first, and
 * an entry is refused before anything is inflated when the directory promises too much (too many
 * entries, too large together, or a compression ratio no spreadsheet has). Inflating then stops at
 * the size the directory declared, so a lying directory cannot make the server inflate more.
 */
import { Inflate } from 'fflate';
import { AppError, badRequest } from '../errors';
import { MAX_XLSX_ENTRIES, MAX_XLSX_INFLATED_BYTES, MAX_XLSX_RATIO } from './limits';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header. */
  offset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const notWorkbook = (why: string) => badRequest(`The file is not a readable XLSX workbook: ${why}`);

/** True when the bytes start like a zip file (as an XLSX does). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** The entries of the zip's central directory, by name, checked against the limits. */
export function zipDirectory(bytes: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-directory record is in the last 22 + 65535 bytes (its comment is at most that long).
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw notWorkbook('no zip directory');
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (count > MAX_XLSX_ENTRIES) throw badRequest(`The workbook has ${count} parts; at most ${MAX_XLSX_ENTRIES} are read`);
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== CENTRAL) throw notWorkbook('a broken zip directory');
    const nameLength = view.getUint16(at + 28, true);
    const entry: ZipEntry = {
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      offset: view.getUint32(at + 42, true),
      name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
    };
    entries.set(entry.name, entry);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

/** Refuses, before inflating anything, parts that promise more than a spreadsheet of the allowed size holds. */
export function checkSizes(parts: readonly ZipEntry[]): void {
  let total = 0;
  for (const part of parts) {
    total += part.size;
    if (part.size > 1024 * 1024 && part.size > part.compressedSize * MAX_XLSX_RATIO) {
      throw badRequest(`The workbook's part ${part.name} inflates ${Math.round(part.size / Math.max(1, part.compressedSize))} times: refused as a zip bomb`);
    }
  }
  if (total > MAX_XLSX_INFLATED_BYTES) {
    throw badRequest(`The workbook inflates to ${Math.round(total / 1048576)} MiB; at most ${MAX_XLSX_INFLATED_BYTES / 1048576} MiB are read`);
  }
}

/**
 * Inflates one entry piece by piece, handing each piece to `onData`; stops with an error past the
 * size the directory declared. Yields to the event loop between pieces when `pause` is given.
 */
export async function inflateEntry(bytes: Uint8Array, entry: ZipEntry, onData: (chunk: Uint8Array) => void, pause?: () => Promise<void>): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (entry.offset + 30 > bytes.length || view.getUint32(entry.offset, true) !== LOCAL) throw notWorkbook(`a broken entry ${entry.name}`);
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw notWorkbook(`entry ${entry.name} is cut short`);
  let inflated = 0;
  const take = (chunk: Uint8Array) => {
    inflated += chunk.length;
    if (inflated > entry.size) throw badRequest(`The workbook's part ${entry.name} inflates past its declared size: refused as a zip bomb`);
    onData(chunk);
  };
  const PIECE = 256 * 1024;
  if (entry.method === 0) {
    for (let i = 0; i < data.length; i += PIECE) {
      take(data.subarray(i, i + PIECE));
      if (pause) await pause();
    }
    return;
  }
  if (entry.method !== 8) throw notWorkbook(`entry ${entry.name} uses compression method ${entry.method}`);
  const inflater = new Inflate((chunk) => take(chunk));
  for (let i = 0; i < data.length; i += PIECE) {
    try {
      inflater.push(data.subarray(i, i + PIECE), i + PIECE >= data.length);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw notWorkbook(`entry ${entry.name} does not inflate (${(error as Error).message})`);
    }
    if (pause) await pause();
  }
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
}
