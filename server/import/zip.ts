/**
 * Just enough of the zip format to read a workbook safely: the central directory is read first, and
 * an entry is refused before anything is inflated when the directory promises too much (too many
 * entries, too large together, or a compression ratio no spreadsheet has). Inflating then stops at
 * the size the directory declared (and at the workbook's total), so a lying directory cannot make the
 * server inflate more.
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

/** What the parts of one workbook may still inflate to, together (MAX_XLSX_INFLATED_BYTES at first). */
export interface InflateBudget {
  left: number;
}

/** A budget of MAX_XLSX_INFLATED_BYTES for the parts of one workbook. */
export const workbookBudget = (): InflateBudget => ({ left: MAX_XLSX_INFLATED_BYTES });

/**
 * Deflate's largest expansion: a 258-byte match coded in two bits, so a byte of input inflates to at
 * most 1032 bytes.
 */
const MAX_DEFLATE_RATIO = 1032;
/** Compressed bytes handed to the inflater at most at once, and at least (near the declared end). */
const MAX_PIECE = 8 * 1024;
const MIN_PIECE = 64;
/** Inflated (or, stored, copied) bytes after which the reader gets a turn: what runs ahead of it at most. */
const PAUSE_EVERY = 256 * 1024;

/**
 * Inflates one entry piece by piece, handing each piece to `onData`; stops with an error as soon as
 * the output passes the size the directory declared, or the workbook's budget. The inflater produces
 * all of what it is given at once, so it is given no more compressed bytes than can inflate to what is
 * left of the declared size (at deflate's largest ratio): a lying directory costs at most about
 * `MIN_PIECE * 1032` bytes (66 KB) past its declared size, however much the entry would inflate to.
 * Yields to the event loop between pieces when `pause` is given.
 */
export async function inflateEntry(
  bytes: Uint8Array, entry: ZipEntry, onData: (chunk: Uint8Array) => void, pause?: () => Promise<void>, budget?: InflateBudget,
): Promise<void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (entry.offset + 30 > bytes.length || view.getUint32(entry.offset, true) !== LOCAL) throw notWorkbook(`a broken entry ${entry.name}`);
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw notWorkbook(`entry ${entry.name} is cut short`);
  const limit = Math.min(entry.size, budget?.left ?? Infinity);
  let inflated = 0;
  let sincePause = 0;
  const take = (chunk: Uint8Array) => {
    inflated += chunk.length;
    if (inflated > entry.size) throw badRequest(`The workbook's part ${entry.name} inflates past its declared size: refused as a zip bomb`);
    if (inflated > limit) {
      throw badRequest(`The workbook inflates to more than ${MAX_XLSX_INFLATED_BYTES / 1048576} MiB; at most that much is read`);
    }
    sincePause += chunk.length;
    onData(chunk);
  };
  const breathe = async () => {
    if (!pause || sincePause < PAUSE_EVERY) return;
    sincePause = 0;
    await pause();
  };
  try {
    if (entry.method === 0) {
      for (let i = 0; i < data.length; i += PAUSE_EVERY) {
        take(data.subarray(i, i + PAUSE_EVERY));
        await breathe();
      }
      return;
    }
    if (entry.method !== 8) throw notWorkbook(`entry ${entry.name} uses compression method ${entry.method}`);
    const inflater = new Inflate((chunk) => take(chunk));
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
    for (let i = 0; i < data.length;) {
      const piece = Math.max(MIN_PIECE, Math.min(MAX_PIECE, Math.floor((limit - inflated) / MAX_DEFLATE_RATIO)));
      try {
        inflater.push(data.subarray(i, i + piece), i + piece >= data.length);
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw notWorkbook(`entry ${entry.name} does not inflate (${(error as Error).message})`);
      }
      i += piece;
      await breathe();
    }
  } finally {
    if (budget) budget.left -= inflated;
  }
}
