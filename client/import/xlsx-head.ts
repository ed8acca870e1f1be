/**
 * The header and first rows of an XLSX workbook's first sheet, for the import dialog's mapping and
 * preview only: the server reads the whole file (and guards against zip bombs) when it imports. Cells
 * are shown as text; a number formatted as a date shows the day it is (YYYY-MM-DD), as the import
 * reads it. Large workbooks are not previewed.
 */
import { unzipSync } from 'fflate';
import { columnIndex, dateStyleIndexes, resolvePartPath, serialDay } from '../../model/xlsx';

/** Workbooks larger than this get no preview (the server still matches the header). */
export const XLSX_PREVIEW_MAX_BYTES = 20 * 1024 * 1024;

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

const xml = (bytes: Uint8Array | undefined) => (bytes ? new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'application/xml') : null);
const unescape = (text: string) => text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Header and up to `rows` rows, or null when the file is too large or not a workbook we can read here. */
export async function xlsxHead(file: File, rows: number): Promise<{ header: string[]; rows: string[][] } | null> {
  if (file.size > XLSX_PREVIEW_MAX_BYTES) return null;
  try {
    const wanted = new Set(['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml']);
    const all = unzipSync(new Uint8Array(await file.arrayBuffer()), { filter: (f) => wanted.has(f.name) || f.name.startsWith('xl/worksheets/') });
    const workbook = xml(all['xl/workbook.xml']);
    const rels = xml(all['xl/_rels/workbook.xml.rels']);
    const firstId = workbook?.getElementsByTagNameNS(MAIN, 'sheet')[0]?.getAttributeNS(REL, 'id');
    const target = [...(rels?.getElementsByTagName('Relationship') ?? [])].find((r) => r.getAttribute('Id') === firstId)?.getAttribute('Target');
    const sheet = xml(target ? all[resolvePartPath('xl/workbook.xml', target)] : undefined);
    if (!sheet) return null;
    const date1904 = ['1', 'true'].includes(workbook?.getElementsByTagNameNS(MAIN, 'workbookPr')[0]?.getAttribute('date1904') ?? '');
    const dates = dateStyles(xml(all['xl/styles.xml']));
    const strings = [...(xml(all['xl/sharedStrings.xml'])?.getElementsByTagNameNS(MAIN, 'si') ?? [])]
      .map((si) => unescape([...si.getElementsByTagNameNS(MAIN, 't')].filter((t) => t.parentElement?.localName !== 'rPh').map((t) => t.textContent ?? '').join('')));
    const out: string[][] = [];
    for (const row of sheet.getElementsByTagNameNS(MAIN, 'row')) {
      const cells: string[] = [];
      for (const c of row.getElementsByTagNameNS(MAIN, 'c')) {
        const ref = c.getAttribute('r');
        const index = ref ? columnIndex(ref) : cells.length;
        const type = c.getAttribute('t');
        const v = c.getElementsByTagNameNS(MAIN, 'v')[0]?.textContent ?? '';
        cells[index] = type === 's' ? strings[Number(v)] ?? ''
          : type === 'inlineStr' ? unescape([...c.getElementsByTagNameNS(MAIN, 't')].map((t) => t.textContent ?? '').join(''))
            : type === 'b' ? (v === '1' ? 'true' : 'false')
              : (type === null || type === 'n') && v !== '' && dates.has(Number(c.getAttribute('s') ?? 0)) && Number.isFinite(Number(v))
                ? serialDay(Number(v), date1904) : unescape(v);
      }
      const filled = Array.from(cells, (x) => x ?? '');
      if (filled.some((x) => x !== '')) out.push(filled);
      if (out.length > rows) break;
    }
    const [header = [], ...rest] = out;
    return { header, rows: rest };
  } catch {
    return null;
  }
}

/** The style indexes of the styles part that format numbers as dates. */
function dateStyles(styles: Document | null): Set<number> {
  if (!styles) return new Set();
  const custom = new Map([...styles.getElementsByTagNameNS(MAIN, 'numFmt')].map((f) => [Number(f.getAttribute('numFmtId')), f.getAttribute('formatCode') ?? '']));
  const xfs = styles.getElementsByTagNameNS(MAIN, 'cellXfs')[0];
  const ids = xfs ? [...xfs.getElementsByTagNameNS(MAIN, 'xf')].map((xf) => Number(xf.getAttribute('numFmtId') ?? 0)) : [];
  return dateStyleIndexes(custom, ids);
}
