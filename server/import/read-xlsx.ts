/**
 * Reads the first worksheet of an XLSX workbook record by record: zip parts are checked before they
 * are inflated (`zip.ts`), and the sheet's XML is inflated and parsed piece by piece, so neither the
 * inflated sheet nor its XML tree is ever whole in memory. Numbers formatted as dates come out as
 * date serials; strings as Excel stores them (shared or inline, its `_xHHHH_` escapes undone).
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { AppError, badRequest } from '../errors';
import type { DateSerial, RawCell, RawRecord } from './raw';
import { checkSizes, type InflateBudget, inflateEntry, workbookBudget, zipDirectory, type ZipEntry } from './zip';
import { columnIndex, dateStyleIndexes, resolvePartPath } from '../../model/xlsx';

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `x:c` and `c` alike: workbooks may prefix the spreadsheet namespace. */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** `_x000D_` is how Excel writes a carriage return inside text (and `_x005F_` an underscore). */
const unescapeOoxml = (text: string) => text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Parses a small XML part whole, calling `open`/`close` per element and `text` for character data. */
async function parseXml(
  bytes: Uint8Array, entry: ZipEntry, budget: InflateBudget,
  handlers: { open?: (tag: SaxesTagPlain) => void; close?: (name: string) => void; text?: (text: string) => void },
  pause?: () => Promise<void>,
): Promise<void> {
  const parser = new SaxesParser();
  if (handlers.open) parser.on('opentag', handlers.open);
  if (handlers.close) { const close = handlers.close; parser.on('closetag', (tag) => close(local(tag.name))); }
  if (handlers.text) { parser.on('text', handlers.text); parser.on('cdata', handlers.text); }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    await inflateEntry(bytes, entry, (chunk) => parser.write(decoder.decode(chunk, { stream: true })), pause, budget);
    parser.write(decoder.decode());
    parser.close();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badRequest(`The workbook's part ${entry.name} is not readable XML: ${(error as Error).message.split('\n')[0]}`);
  }
}

const attr = (tag: SaxesTagPlain, name: string) => {
  for (const [key, value] of Object.entries(tag.attributes)) if (local(key) === name) return value;
  return undefined;
};

/** Which style indexes (`s` of a cell) format numbers as dates. */
async function dateStyles(bytes: Uint8Array, entry: ZipEntry | undefined, budget: InflateBudget): Promise<Set<number>> {
  if (!entry) return new Set();
  const custom = new Map<number, string>();
  const xfFormats: number[] = [];
  let inCellXfs = false;
  await parseXml(bytes, entry, budget, {
    open: (tag) => {
      const name = local(tag.name);
      if (name === 'numFmt') custom.set(Number(attr(tag, 'numFmtId')), attr(tag, 'formatCode') ?? '');
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attr(tag, 'numFmtId') ?? 0));
    },
    close: (name) => { if (name === 'cellXfs') inCellXfs = false; },
  });
  return dateStyleIndexes(custom, xfFormats);
}

async function sharedStrings(bytes: Uint8Array, entry: ZipEntry | undefined, budget: InflateBudget): Promise<string[]> {
  const strings: string[] = [];
  if (!entry) return strings;
  let current = '';
  let inText = false;
  let inPhonetic = false;
  await parseXml(bytes, entry, budget, {
    open: (tag) => {
      const name = local(tag.name);
      if (name === 'si') current = '';
      else if (name === 'rPh') inPhonetic = true;
      else if (name === 't' && !inPhonetic) inText = true;
    },
    close: (name) => {
      if (name === 't') inText = false;
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si') strings.push(unescapeOoxml(current));
    },
    text: (text) => { if (inText) current += text; },
  }, yieldTurn);
  return strings;
}

/** The first worksheet's part, and whether the workbook counts dates from 1904. */
async function firstSheet(bytes: Uint8Array, entries: Map<string, ZipEntry>, budget: InflateBudget): Promise<{ sheet: ZipEntry; date1904: boolean }> {
  const need = (name: string) => {
    const entry = entries.get(name);
    if (!entry) throw badRequest(`The file is not an XLSX workbook: it has no ${name}`);
    return entry;
  };
  let workbookPath = 'xl/workbook.xml';
  const rootRels = entries.get('_rels/.rels');
  if (rootRels) {
    checkSizes([rootRels]);
    await parseXml(bytes, rootRels, budget, {
      open: (tag) => {
        if (local(tag.name) === 'Relationship' && /\/officeDocument$/.test(attr(tag, 'Type') ?? '')) workbookPath = resolvePartPath('', attr(tag, 'Target') ?? workbookPath);
      },
    });
  }
  const workbook = need(workbookPath);
  const relsPath = resolvePartPath(workbookPath, `_rels/${workbookPath.split('/').pop()}.rels`);
  const rels = need(relsPath);
  checkSizes([workbook, rels]);
  let firstId: string | undefined;
  let date1904 = false;
  await parseXml(bytes, workbook, budget, {
    open: (tag) => {
      const name = local(tag.name);
      if (name === 'sheet' && firstId === undefined) firstId = attr(tag, 'id');
      else if (name === 'workbookPr') date1904 = ['1', 'true'].includes(attr(tag, 'date1904') ?? '');
    },
  });
  if (firstId === undefined) throw badRequest('The workbook has no sheet');
  let target: string | undefined;
  await parseXml(bytes, rels, budget, {
    open: (tag) => { if (local(tag.name) === 'Relationship' && attr(tag, 'Id') === firstId) target = attr(tag, 'Target'); },
  });
  if (target === undefined) throw badRequest('The workbook does not say where its first sheet is');
  return { sheet: need(resolvePartPath(workbookPath, target)), date1904 };
}

/** The records of the workbook's first sheet, the header first; empty rows are skipped. */
export async function* xlsxRecords(bytes: Uint8Array): AsyncGenerator<RawRecord> {
  const entries = zipDirectory(bytes);
  // Whatever each part's directory entry declares, the parts together inflate to at most this.
  const budget = workbookBudget();
  const { sheet, date1904 } = await firstSheet(bytes, entries, budget);
  const stylesEntry = entries.get('xl/styles.xml');
  const stringsEntry = entries.get('xl/sharedStrings.xml');
  checkSizes([sheet, ...(stylesEntry ? [stylesEntry] : []), ...(stringsEntry ? [stringsEntry] : [])]);
  const dates = await dateStyles(bytes, stylesEntry, budget);
  const strings = await sharedStrings(bytes, stringsEntry, budget);

  let ready: RawRecord[] = [];
  let rowNumber = 0;
  let cells: RawCell[] = [];
  let cell: { index: number; type: string; style: number; text: string; inline: string } | null = null;
  let reading: 'v' | 't' | null = null;
  let inPhonetic = false;
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    if (name === 'row') {
      const r = Number(attr(tag, 'r'));
      rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
      cells = [];
    } else if (name === 'c') {
      const ref = attr(tag, 'r');
      cell = { index: ref ? columnIndex(ref) : cells.length, type: attr(tag, 't') ?? 'n', style: Number(attr(tag, 's') ?? 0), text: '', inline: '' };
    } else if (cell && name === 'v') reading = 'v';
    else if (cell && name === 'rPh') inPhonetic = true;
    else if (cell && name === 't' && !inPhonetic) reading = 't';
  });
  const onText = (text: string) => {
    if (!cell || reading === null) return;
    if (reading === 'v') cell.text += text;
    else cell.inline += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    if (name === 'v' || name === 't') reading = null;
    else if (name === 'rPh') inPhonetic = false;
    else if (name === 'c' && cell) {
      if (cell.index >= 0 && cell.index < 16384) cells[cell.index] = cellValue(cell, strings, dates, date1904);
      cell = null;
    } else if (name === 'row') {
      const filled = Array.from(cells, (c) => c ?? null);
      if (filled.some((c) => c !== null && c !== '')) ready.push({ line: rowNumber, cells: filled });
    }
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const chunks: Uint8Array[] = [];
  // Inflation runs ahead of the parser by a few hundred kilobytes at most (it pauses every 256 KiB):
  // what it inflated is parsed, and its records handed on, before it goes on.
  const inflating = inflateEntry(bytes, sheet, (chunk) => chunks.push(chunk), yieldTurn, budget);
  let done = false;
  inflating.then(() => { done = true; }, () => { done = true; });
  try {
    while (!done || chunks.length > 0) {
      while (chunks.length > 0) parser.write(decoder.decode(chunks.shift()!, { stream: true }));
      const batch = ready;
      ready = [];
      for (const record of batch) yield record;
      if (!done) await yieldTurn();
    }
    await inflating;
    parser.write(decoder.decode());
    parser.close();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badRequest(`The workbook's sheet is not readable: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await inflating.catch(() => undefined);
  }
  for (const record of ready) yield record;
}

function cellValue(
  cell: { type: string; style: number; text: string; inline: string }, strings: readonly string[], dates: ReadonlySet<number>, date1904: boolean,
): RawCell {
  switch (cell.type) {
    case 's': {
      const s = strings[Number(cell.text)];
      if (s === undefined) throw badRequest(`A cell refers to shared string ${cell.text}, which the workbook does not have`);
      return s;
    }
    case 'inlineStr':
      return unescapeOoxml(cell.inline);
    case 'str':
    case 'e':
    case 'd':
      return unescapeOoxml(cell.text);
    case 'b':
      return cell.text === '1' || cell.text === 'true';
    default: {
      if (cell.text === '') return null;
      const n = Number(cell.text);
      if (!Number.isFinite(n)) return cell.text;
      return dates.has(cell.style) ? ({ serial: n, date1904 } satisfies DateSerial) : n;
    }
  }
}
